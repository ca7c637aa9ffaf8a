"""The suite API against published vectors and an independent implementation (the openssl command)."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kiosk.errors import ConfigError, StoreError
from kiosk.security import suite as S
from kiosk.security.sealed import SM4_MAGIC, SealedBox


def test_sm3_matches_the_gb_t_32905_vector() -> None:
    assert S.digest(S.SM2_SM3, b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert S.digest(S.SM2_SM3, b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_matches_the_gb_t_32907_vector() -> None:
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


@pytest.mark.parametrize("name", S.SUITES)
def test_keys_round_trip_and_signatures_verify_only_on_their_data(name: str) -> None:
    key = S.load_private_pem(S.generate(name).to_pem())
    public = S.load_public(key.public_b64())
    signature = key.sign(b"payload")
    assert public.suite == name and public.verify(signature, b"payload") and not public.verify(signature, b"payloaD")
    assert S.Policy().refusal(name, public, signature, b"payload") is None


def test_the_policy_refuses_a_downgrade_a_foreign_suite_and_a_mismatched_key() -> None:
    sm2, ed = S.generate(S.SM2_SM3), S.generate(S.ED25519)
    only_sm2 = S.Policy((S.SM2_SM3,))
    assert "not accepted" in str(only_sm2.refusal("ed25519", S.load_public(ed.public_b64()), ed.sign(b"x"), b"x"))
    assert "pinned key is SM2-SM3" in str(S.Policy().refusal("ed25519", S.load_public(sm2.public_b64()), ed.sign(b"x"), b"x"))
    assert "not accepted" in str(S.Policy().refusal("RSA", None, b"", b"x"))
    with pytest.raises(ConfigError):
        S.Policy(("SM2-SM3", "md5"))


def test_sm2_interoperates_with_the_openssl_command(tmp_path: Path) -> None:
    """Both directions: openssl verifies our signature, we verify openssl's (GM/T 0009 default id both sides)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command")
    key = S.generate(S.SM2_SM3)
    (tmp_path / "key.pem").write_bytes(key.to_pem())
    (tmp_path / "pub.der").write_bytes(base64.b64decode(key.public_b64()))
    (tmp_path / "msg").write_bytes("受理回执 CQ-500112".encode())
    (tmp_path / "sig").write_bytes(key.sign((tmp_path / "msg").read_bytes()))
    opts = ["-sm3", "-sigopt", "distid:1234567812345678"]
    verified = subprocess.run([openssl, "dgst", *opts, "-verify", tmp_path / "pub.der", "-keyform", "DER", "-signature", tmp_path / "sig",
                               tmp_path / "msg"], capture_output=True, text=True)
    assert verified.returncode == 0 and "Verified OK" in verified.stdout, verified.stderr
    subprocess.run([openssl, "dgst", *opts, "-sign", tmp_path / "key.pem", "-out", tmp_path / "sig2", tmp_path / "msg"], check=True)
    public = S.load_public(key.public_b64())
    assert public.verify((tmp_path / "sig2").read_bytes(), (tmp_path / "msg").read_bytes())
    assert not public.verify((tmp_path / "sig2").read_bytes(), b"other")


def test_hmac_sm3_is_keyed_and_checked() -> None:
    tag = S.mac(S.SM2_SM3, b"k" * 32, b"record")
    assert len(tag) == 32 and S.mac_ok(S.SM2_SM3, b"k" * 32, b"record", tag)
    assert not S.mac_ok(S.SM2_SM3, b"K" * 32, b"record", tag) and not S.mac_ok(S.SM2_SM3, b"k" * 32, b"recorD", tag)


def test_sealing_is_sm4_and_old_aes_rows_still_open(tmp_path: Path) -> None:
    key = b"\x07" * 32
    box, legacy = SealedBox(key), SealedBox(key, S.ED25519)
    sealed = box.seal("张三 500112198703152613".encode(), b"session-1")
    assert sealed.startswith(SM4_MAGIC) and box.open(sealed, b"session-1") == "张三 500112198703152613".encode()
    assert box.open(legacy.seal(b"old row", b"a"), b"a") == b"old row"
    for bad in (sealed[:-1] + bytes([sealed[-1] ^ 1]), sealed):
        with pytest.raises(StoreError):
            box.open(bad, b"session-2")
    with pytest.raises(StoreError):
        SealedBox(b"\x08" * 32).open(sealed, b"session-1")
