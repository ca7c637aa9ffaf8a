"""Algorithm suites: one name for a signature + digest + MAC family, named in config and in every signed envelope.

    suite      signature                 digest    MAC
    SM2-SM3    SM2 (GB/T 32918, OpenSSL)  SM3       HMAC-SM3     国密 (GM/T 0054 expects these for 密评)
    ed25519    Ed25519                   SHA-256   HMAC-SHA256  the suite terminals used before 国密

Why agility this way: a signed thing says its suite (``alg``), the verifier picks the algorithm from it but only
among the suites the terminal's config accepts, and the key it checks with must be of that same suite (a pinned
key is self-describing: a 32-byte Ed25519 key or an SM2 SubjectPublicKeyInfo). So a forger cannot downgrade an
SM2 terminal to Ed25519, and a fleet can move suite by suite: accept both, then sign with the new one, then drop
the old one from ``accept``.

Stable API (other packages build on it — the audit trail's MAC, request signing, bundles, commands):
``generate``, ``load_private_pem``, ``as_signing_key``, ``load_public``, ``digest``, ``mac``, ``key_id``,
``Policy.refusal``. SM4 sealing is in ``kiosk.security.sealed``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as _hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_der_public_key,
    load_pem_private_key,
)

from kiosk.errors import ConfigError
from kiosk.security.sm2 import Sm2PrivateKey, Sm2PublicKey

SM2_SM3 = "SM2-SM3"
ED25519 = "ed25519"
SUITES = (SM2_SM3, ED25519)
_SM2_PEM = "EC PRIVATE KEY"


def check_suite(name: str) -> str:
    if name not in SUITES:
        raise ConfigError(f"unknown algorithm suite {name!r} (known: {', '.join(SUITES)})")
    return name


class SigningKey(Protocol):
    """A private key of one suite."""

    @property
    def suite(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...

    def public_b64(self) -> str: ...

    def to_pem(self) -> bytes: ...


class VerifyKey(Protocol):
    @property
    def suite(self) -> str: ...

    def verify(self, signature: bytes, data: bytes) -> bool: ...

    def b64(self) -> str: ...


@dataclass(frozen=True)
class _EdSigner:
    key: Ed25519PrivateKey
    suite: str = ED25519

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)

    def public_b64(self) -> str:
        return base64.b64encode(self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")

    def to_pem(self) -> bytes:
        return self.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


@dataclass(frozen=True)
class _EdVerifier:
    key: Ed25519PublicKey
    suite: str = ED25519

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            self.key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def b64(self) -> str:
        return base64.b64encode(self.key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")


@dataclass(frozen=True)
class _SmSigner:
    key: Sm2PrivateKey
    suite: str = SM2_SM3

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)

    def public_b64(self) -> str:
        return base64.b64encode(self.key.public_der()).decode("ascii")

    def to_pem(self) -> bytes:
        body = base64.encodebytes(self.key.private_der()).decode("ascii")
        return f"-----BEGIN {_SM2_PEM}-----\n{body}-----END {_SM2_PEM}-----\n".encode("ascii")


@dataclass(frozen=True)
class _SmVerifier:
    key: Sm2PublicKey
    suite: str = SM2_SM3

    def verify(self, signature: bytes, data: bytes) -> bool:
        return self.key.verify(signature, data)

    def b64(self) -> str:
        return base64.b64encode(self.key.public_der()).decode("ascii")


def generate(suite: str) -> SigningKey:
    if check_suite(suite) == SM2_SM3:
        return _SmSigner(Sm2PrivateKey.generate())
    return _EdSigner(Ed25519PrivateKey.generate())


def as_signing_key(key: SigningKey | Ed25519PrivateKey) -> SigningKey:
    """Accept a bare ``cryptography`` Ed25519 key where a suite key is expected (tools and tests that predate suites)."""
    return _EdSigner(key) if isinstance(key, Ed25519PrivateKey) else key


def load_private_pem(data: bytes) -> SigningKey:
    """An Ed25519 PKCS#8 PEM or an SM2 ``EC PRIVATE KEY`` PEM; ConfigError on anything else."""
    text = data.decode("ascii", "replace")
    if f"-----BEGIN {_SM2_PEM}-----" in text:
        body = text.split(f"-----BEGIN {_SM2_PEM}-----", 1)[1].split("-----END", 1)[0]
        try:
            return _SmSigner(Sm2PrivateKey.from_der(base64.b64decode("".join(body.split()), validate=True)))
        except (ValueError, binascii.Error) as exc:
            raise ConfigError(f"not a readable SM2 private key ({exc})") from None
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"not a readable PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"unsupported private key type {type(key).__name__} (suites: {', '.join(SUITES)})")
    return _EdSigner(key)


def load_public(b64: str) -> VerifyKey:
    """A pinned public key, its suite told by its shape: 32 raw bytes = Ed25519, SubjectPublicKeyInfo = SM2 (or Ed25519).
    ValueError on anything else."""
    try:
        raw = base64.b64decode(b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("public key is not base64") from None
    if len(raw) == 32:
        return _EdVerifier(Ed25519PublicKey.from_public_bytes(raw))
    try:
        return _SmVerifier(Sm2PublicKey.from_der(raw))
    except ValueError:
        pass
    try:
        key = load_der_public_key(raw)
    except (ValueError, TypeError):
        raise ValueError("public key is neither Ed25519 nor SM2") from None
    if isinstance(key, Ed25519PublicKey):
        return _EdVerifier(key)
    raise ValueError(f"public key type {type(key).__name__} is not one of the suites {', '.join(SUITES)}")


def _hash(suite: str) -> hashes.HashAlgorithm:
    return hashes.SM3() if check_suite(suite) == SM2_SM3 else hashes.SHA256()


def digest(suite: str, data: bytes) -> str:
    """Hex digest with the suite's hash (SM3 or SHA-256)."""
    if suite == ED25519:
        return hashlib.sha256(data).hexdigest()
    h = hashes.Hash(_hash(suite))
    h.update(data)
    return h.finalize().hex()


def mac(suite: str, key: bytes, data: bytes) -> bytes:
    """HMAC with the suite's hash (HMAC-SM3 or HMAC-SHA256)."""
    h = _hmac.HMAC(key, _hash(suite))
    h.update(data)
    return h.finalize()


def mac_ok(suite: str, key: bytes, data: bytes, tag: bytes) -> bool:
    h = _hmac.HMAC(key, _hash(suite))
    h.update(data)
    try:
        h.verify(tag)
    except InvalidSignature:
        return False
    return True


def key_id(public_b64: str) -> str:
    """Short fingerprint of a public key: first 16 hex of SHA-256 over its base64 text (as bundles always used)."""
    return hashlib.sha256(public_b64.strip().encode("ascii")).hexdigest()[:16]


@dataclass(frozen=True)
class Policy:
    """The suites this terminal accepts (config), the first being the one it signs and seals with."""

    accept: tuple[str, ...] = (SM2_SM3, ED25519)

    def __post_init__(self) -> None:
        if not self.accept:
            raise ConfigError("at least one algorithm suite must be accepted")
        for name in self.accept:
            check_suite(name)

    @property
    def preferred(self) -> str:
        return self.accept[0]

    def refusal(self, alg: object, key: VerifyKey | None, signature: bytes, data: bytes) -> str | None:
        """None when ``signature`` over ``data`` verifies under ``key`` with the suite ``alg`` names; else why not.
        The envelope picks the suite, but only among ``accept`` and only the pinned key's own suite (no downgrade)."""
        if alg not in self.accept:
            return f"algorithm suite {str(alg)[:20]!r} is not accepted here (accepted: {', '.join(self.accept)})"
        if key is None:
            return "no pinned key to verify with"
        if key.suite != alg:
            return f"envelope says {alg} but the pinned key is {key.suite}"
        if not key.verify(signature, data):
            return f"{alg} signature does not verify with the pinned key {key_id(key.b64())}"
        return None
