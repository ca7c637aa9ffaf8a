"""SM2 signatures (GB/T 32918, with SM3 and the GM/T 0009 default distinguishing id) through the system's OpenSSL 3.

Why OpenSSL's libcrypto through ctypes: ``cryptography`` gives SM3 and SM4 but no SM2 (its EC module knows no
SM2 curve); the PyPI SM2 packages are pure Python (``gmssl``: not constant-time, last release 2023, a public-key
parsing bug forked as ``gmssl-fix``) or bindings to libraries Debian does not ship (``gmssl-python`` needs
libgmssl, ``tongsuopy`` a Tongsuo build). OpenSSL 3 implements SM2 in its default provider, is on every Debian
terminal (libssl3) and is what a 密评 lab checks against; the EVP calls used here are its stable public API.

Keys travel as standard DER: private keys as SEC1 ``EC PRIVATE KEY`` (PEM on disk), public keys as
SubjectPublicKeyInfo (base64 in configs), so ``openssl pkey`` / ``openssl dgst -sm3 -verify`` read them as they
are (the tests cross-check with the openssl command). Signatures are DER ``SEQUENCE {r, s}``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
from typing import Any

from kiosk.errors import ConfigError

#: GM/T 0009-2012 default user id, used by OpenSSL, GmSSL and the platform side alike.
DEFAULT_ID = b"1234567812345678"

_P = ctypes.c_void_p
_BUF = ctypes.POINTER(ctypes.c_char_p)
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "EVP_PKEY_CTX_new_from_name": (_P, [_P, ctypes.c_char_p, ctypes.c_char_p]),
    "EVP_PKEY_keygen_init": (ctypes.c_int, [_P]),
    "EVP_PKEY_generate": (ctypes.c_int, [_P, ctypes.POINTER(_P)]),
    "EVP_PKEY_CTX_new": (_P, [_P, _P]),
    "EVP_PKEY_CTX_free": (None, [_P]),
    "EVP_PKEY_CTX_set1_id": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_size_t]),
    "EVP_PKEY_free": (None, [_P]),
    "EVP_PKEY_is_a": (ctypes.c_int, [_P, ctypes.c_char_p]),
    "EVP_MD_CTX_new": (_P, []),
    "EVP_MD_CTX_free": (None, [_P]),
    "EVP_MD_CTX_set_pkey_ctx": (None, [_P, _P]),
    "EVP_sm3": (_P, []),
    "EVP_DigestSignInit": (ctypes.c_int, [_P, _P, _P, _P, _P]),
    "EVP_DigestSign": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t), ctypes.c_char_p, ctypes.c_size_t]),
    "EVP_DigestVerifyInit": (ctypes.c_int, [_P, _P, _P, _P, _P]),
    "EVP_DigestVerify": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]),
    "i2d_PUBKEY": (ctypes.c_int, [_P, _BUF]),
    "d2i_PUBKEY": (_P, [_P, _BUF, ctypes.c_long]),
    "i2d_PrivateKey": (ctypes.c_int, [_P, _BUF]),
    "d2i_AutoPrivateKey": (_P, [_P, _BUF, ctypes.c_long]),
    "ERR_clear_error": (None, []),
}


class Sm2Unavailable(ConfigError):
    """libcrypto (OpenSSL ≥ 3) with SM2 is not installed: the SM2-SM3 suite cannot be used on this machine."""


@functools.cache
def _lib() -> ctypes.CDLL:
    name = ctypes.util.find_library("crypto")
    try:
        lib = ctypes.CDLL(name or "libcrypto.so.3")
        for symbol, (restype, argtypes) in _SIGNATURES.items():
            function = getattr(lib, symbol)
            function.restype, function.argtypes = restype, argtypes
    except (OSError, AttributeError) as exc:
        raise Sm2Unavailable(f"SM2 needs OpenSSL 3's libcrypto (Debian: libssl3): {exc}") from None
    return lib


def available() -> bool:
    try:
        _lib()
    except Sm2Unavailable:
        return False
    return True


def _i2d(function: Any, pkey: int) -> bytes:
    size = function(pkey, None)
    if size <= 0:
        raise ConfigError("SM2: OpenSSL could not encode the key")
    buffer = ctypes.create_string_buffer(size)
    cursor = ctypes.cast(ctypes.pointer(ctypes.c_void_p(ctypes.addressof(buffer))), _BUF)
    if function(pkey, cursor) != size:
        raise ConfigError("SM2: OpenSSL could not encode the key")
    return buffer.raw[:size]


def _d2i(function: Any, der: bytes) -> int:
    buffer = ctypes.create_string_buffer(der, len(der))
    cursor = ctypes.cast(ctypes.pointer(ctypes.c_void_p(ctypes.addressof(buffer))), _BUF)
    pkey = function(None, cursor, len(der))
    lib = _lib()
    if not pkey:
        lib.ERR_clear_error()
        raise ValueError("not an SM2 key in DER")
    if lib.EVP_PKEY_is_a(pkey, b"SM2") != 1:
        lib.EVP_PKEY_free(pkey)
        raise ValueError("the key is not on the SM2 curve")
    return int(pkey)


class _Key:
    """Owns one EVP_PKEY; freed when the object goes (no explicit close: keys live as long as the terminal)."""

    def __init__(self, pkey: int) -> None:
        self._pkey = pkey
        self._lock = threading.Lock()  # one EVP_PKEY, several threads: OpenSSL's per-key caches are not ours to race

    def __del__(self) -> None:
        if getattr(self, "_pkey", None):
            _lib().EVP_PKEY_free(self._pkey)

    def public_der(self) -> bytes:
        return _i2d(_lib().i2d_PUBKEY, self._pkey)

    def _digest_ctx(self, verify: bool, uid: bytes) -> tuple[int, int]:
        lib = _lib()
        mctx, pctx = lib.EVP_MD_CTX_new(), lib.EVP_PKEY_CTX_new(self._pkey, None)
        if not mctx or not pctx or lib.EVP_PKEY_CTX_set1_id(pctx, uid, len(uid)) != 1:
            self._free(mctx, pctx)
            raise ConfigError("SM2: OpenSSL refused to set up the signature context")
        lib.EVP_MD_CTX_set_pkey_ctx(mctx, pctx)
        init = lib.EVP_DigestVerifyInit if verify else lib.EVP_DigestSignInit
        if init(mctx, None, lib.EVP_sm3(), None, self._pkey) != 1:
            self._free(mctx, pctx)
            raise ConfigError("SM2: OpenSSL refused to initialise SM2 with SM3")
        return mctx, pctx

    @staticmethod
    def _free(mctx: int | None, pctx: int | None) -> None:
        lib = _lib()
        if mctx:
            lib.EVP_MD_CTX_free(mctx)
        if pctx:
            lib.EVP_PKEY_CTX_free(pctx)
        lib.ERR_clear_error()


class Sm2PublicKey(_Key):
    @classmethod
    def from_der(cls, der: bytes) -> Sm2PublicKey:
        """ValueError unless ``der`` is a SubjectPublicKeyInfo of an SM2 key."""
        return cls(_d2i(_lib().d2i_PUBKEY, der))

    def verify(self, signature: bytes, data: bytes, uid: bytes = DEFAULT_ID) -> bool:
        with self._lock:
            mctx, pctx = self._digest_ctx(True, uid)
            try:
                return bool(_lib().EVP_DigestVerify(mctx, signature, len(signature), data, len(data)) == 1)
            finally:
                self._free(mctx, pctx)


class Sm2PrivateKey(_Key):
    @classmethod
    def generate(cls) -> Sm2PrivateKey:
        lib = _lib()
        ctx = lib.EVP_PKEY_CTX_new_from_name(None, b"SM2", None)
        pkey = ctypes.c_void_p()
        try:
            if not ctx or lib.EVP_PKEY_keygen_init(ctx) != 1 or lib.EVP_PKEY_generate(ctx, ctypes.byref(pkey)) != 1:
                raise Sm2Unavailable("this OpenSSL cannot generate SM2 keys (default provider without SM2?)")
        finally:
            if ctx:
                lib.EVP_PKEY_CTX_free(ctx)
        return cls(int(pkey.value or 0))

    @classmethod
    def from_der(cls, der: bytes) -> Sm2PrivateKey:
        """ValueError unless ``der`` is an SM2 private key (SEC1 or PKCS#8)."""
        return cls(_d2i(_lib().d2i_AutoPrivateKey, der))

    def private_der(self) -> bytes:
        return _i2d(_lib().i2d_PrivateKey, self._pkey)

    def public_key(self) -> Sm2PublicKey:
        return Sm2PublicKey.from_der(self.public_der())

    def sign(self, data: bytes, uid: bytes = DEFAULT_ID) -> bytes:
        lib = _lib()
        with self._lock:
            mctx, pctx = self._digest_ctx(False, uid)
            try:
                size = ctypes.c_size_t(0)
                if lib.EVP_DigestSign(mctx, None, ctypes.byref(size), data, len(data)) != 1:
                    raise ConfigError("SM2: signing failed")
                out = ctypes.create_string_buffer(size.value)
                if lib.EVP_DigestSign(mctx, out, ctypes.byref(size), data, len(data)) != 1:
                    raise ConfigError("SM2: signing failed")
                return out.raw[:size.value]
            finally:
                self._free(mctx, pctx)
