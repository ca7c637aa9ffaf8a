"""The signed item-configuration bundle: one zip file, verifiable anywhere with the pinned public key.

    manifest.json    {"format", "version", "created_at", "schema_version", "files": [{path, sha256, size}]}
    signature.json   {"alg": "Ed25519", "key_id", "signature": base64 over the exact manifest.json bytes}
    items/…          the catalog directory (items, bundles/, templates/)

Why this shape: bundles are plain static files (any web server or CDN serves a whole fleet), the
signature covers only the manifest and the manifest pins every file by SHA-256, so verification
is one signature check plus hashes, and nothing outside the manifest can ride along.
``open_bundle`` is the only reader: it refuses anything unsigned, wrongly signed, altered,
oversized or with unsafe paths, raising ``BundleRejected`` whose ``reason`` goes into the audit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.errors import KioskError
from kiosk.platform.signing import load_public_key

FORMAT = "yukuaiban-items-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
MAX_BUNDLE_BYTES = 32 * 1024 * 1024
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_FILES = 2000


class BundleRejected(KioskError):
    """A bundle failed verification; ``reason`` is a short machine code, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


@dataclass(frozen=True)
class VerifiedBundle:
    version: int
    manifest: dict[str, object]
    files: dict[str, bytes]  # path inside items/ → content
    key_id: str

    def extract(self, target: Path) -> Path:
        """Write the catalog under ``target`` (must not exist yet); returns the catalog directory."""
        target.mkdir(parents=True)
        for path, content in self.files.items():
            out = target.joinpath(*PurePosixPath(path).parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(content)
        return target


def key_id(public_key: Ed25519PublicKey | str) -> str:
    """Short fingerprint of a public key (first 16 hex of SHA-256 of its base64 form)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if isinstance(public_key, str):
        text = public_key
    else:
        text = base64.b64encode(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]


def canonical_manifest(manifest: dict[str, object]) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def parse_version(value: object) -> int:
    text = str(value)
    if not text.isdigit() or len(text) > 12:
        raise BundleRejected("bad_version", f"version {text[:20]!r} is not a positive integer")
    return int(text)


def _safe_path(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or not name.startswith("items/") or any(p in ("..", "") for p in path.parts) or "\\" in name:
        raise BundleRejected("unsafe_path", f"file path {name[:80]!r} is not a plain relative path under items/")
    return str(PurePosixPath(*path.parts[1:]))


def _read_zip(data: bytes) -> dict[str, bytes]:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleRejected("too_large", f"bundle is {len(data)} bytes (limit {MAX_BUNDLE_BYTES})")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > MAX_FILES:
            raise BundleRejected("too_many_files", f"{len(infos)} files (limit {MAX_FILES})")
        out: dict[str, bytes] = {}
        for info in infos:
            if info.is_dir():
                continue
            if info.file_size > MAX_FILE_BYTES:
                raise BundleRejected("too_large", f"{info.filename[:80]} unpacks to {info.file_size} bytes")
            if info.filename in out:
                raise BundleRejected("duplicate_file", f"{info.filename[:80]} appears twice")
            out[info.filename] = archive.read(info)
        return out
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise BundleRejected("not_a_bundle", f"not a readable zip: {exc}") from None
    except (OSError, RuntimeError) as exc:  # e.g. CRC errors from a truncated/altered member
        raise BundleRejected("tampered", f"zip member unreadable: {exc}") from None


def open_bundle(data: bytes, public_key_b64: str) -> VerifiedBundle:
    """Verify a bundle against the pinned key; raise ``BundleRejected`` on anything wrong."""
    if not public_key_b64:
        raise BundleRejected("no_pinned_key", "platform.bundle_public_key is not configured: refusing every bundle")
    try:
        public_key = load_public_key(public_key_b64)
    except (ValueError, binascii.Error) as exc:
        raise BundleRejected("no_pinned_key", f"platform.bundle_public_key is not a valid Ed25519 key: {exc}") from None
    members = _read_zip(data)
    manifest_bytes = members.pop(MANIFEST, None)
    if manifest_bytes is None:
        raise BundleRejected("not_a_bundle", "no manifest.json")
    signature_bytes = members.pop(SIGNATURE, None)
    if signature_bytes is None:
        raise BundleRejected("unsigned", "no signature.json: the bundle was never signed")
    try:
        signature_doc = json.loads(signature_bytes)
        signature = base64.b64decode(signature_doc["signature"], validate=True)
        if signature_doc.get("alg") != "Ed25519":
            raise ValueError(f"algorithm {signature_doc.get('alg')!r}")
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BundleRejected("bad_signature", f"signature.json unreadable: {exc}") from None
    try:
        public_key.verify(signature, manifest_bytes)
    except InvalidSignature:
        signer = str(signature_doc.get("key_id", "?"))[:32]
        raise BundleRejected("bad_signature", f"signature does not verify with the pinned key {key_id(public_key)} (signed by {signer})") from None
    try:
        manifest = json.loads(manifest_bytes)
        files = manifest["files"]
        if manifest.get("format") != FORMAT or not isinstance(files, list):
            raise ValueError(f"format {manifest.get('format')!r}")
    except (ValueError, KeyError, TypeError) as exc:
        raise BundleRejected("not_a_bundle", f"manifest unreadable: {exc}") from None
    version = parse_version(manifest.get("version"))
    listed: dict[str, bytes] = {}
    for entry in files:
        name = str(entry.get("path", "")) if isinstance(entry, dict) else ""
        content = members.pop(name, None)
        if content is None:
            raise BundleRejected("tampered", f"{name[:80] or '(no path)'} is listed in the manifest but missing")
        if hashlib.sha256(content).hexdigest() != entry.get("sha256"):
            raise BundleRejected("tampered", f"{name[:80]} does not match its SHA-256 in the signed manifest")
        listed[_safe_path(name)] = content
    if members:
        raise BundleRejected("tampered", f"files not in the signed manifest: {', '.join(sorted(members))[:120]}")
    return VerifiedBundle(version, manifest, listed, str(signature_doc.get("key_id", "")))


def peek_version(data: bytes) -> int:
    """The claimed version of an unverified bundle, for audit records only (0 when unreadable)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return parse_version(json.loads(archive.read(MANIFEST))["version"])
    except Exception:  # noqa: BLE001 — a rejected bundle may be any garbage
        return 0
