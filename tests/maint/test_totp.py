"""RFC 6238 / RFC 4226 test vectors, drift window, replay refusal, PIN hashes."""

from __future__ import annotations

import base64

import pytest

from kiosk.maint import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize("at, code", [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"),
                                      (2000000000, "69279037"), (20000000000, "65353130")])
def test_rfc6238_sha1_vectors(at: int, code: str) -> None:
    assert totp.totp(RFC_SECRET, at, digits=8) == code


def test_rfc4226_hotp_vectors() -> None:
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    assert [totp.hotp(b"12345678901234567890", i) for i in range(10)] == expected


def test_verify_accepts_one_step_of_drift_and_refuses_replay() -> None:
    secret = totp.new_secret()
    now = 1_700_000_000.0
    code = totp.totp(secret, now)
    step = totp.verify(secret, code, now)
    assert step == int(now // 30)
    assert totp.verify(secret, totp.totp(secret, now - 30), now) == step - 1  # phone clock 30 s behind
    assert totp.verify(secret, totp.totp(secret, now - 90), now) is None  # too old
    assert totp.verify(secret, code, now, last_step=step) is None  # same code twice: refused
    assert totp.verify(secret, "12345", now) is None and totp.verify(secret, "abcdef", now) is None
    assert totp.verify("", code, now) is None


def test_pin_hashes() -> None:
    stored = totp.hash_pin("246810")
    assert stored.startswith("pbkdf2-sha256$") and "246810" not in stored
    assert totp.check_pin("246810", stored)
    assert not totp.check_pin("246811", stored)
    assert not totp.check_pin("246810", "garbage")
    with pytest.raises(ValueError):
        totp.hash_pin("12")
    assert totp.provisioning_uri("ABC", "CQ-1").startswith("otpauth://totp/")
