"""Administrator side of item-configuration bundles: keygen, build, sign, publish, roll out.

Publishing is copying plain files into a directory any web server (or the platform emulator's
``bundles_dir``) serves; the rollout is the ``current.json`` pointer in that directory, which says
which version terminals should run and, during a canary, which share of the fleet gets it
(``kiosk.platform.rollout``). The signing key never leaves the administrator's machine.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import time
import zipfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key

from kiosk.errors import ConfigError
from kiosk.fleet.bundle import FORMAT, MANIFEST, SIGNATURE, BundleRejected, canonical_manifest, key_id, open_bundle, parse_version
from kiosk.items import SCHEMA_VERSION, validate_dir
from kiosk.platform.rollout import POINTER, write_pointer
from kiosk.platform.signing import public_key_b64

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # reproducible bundles: same catalog + version → same bytes


def keygen(private_path: Path) -> str:
    """Create the signing key (PEM, 0600) and return the public key (base64) to pin in terminal configs."""
    if private_path.exists():
        raise ConfigError(f"{private_path}: exists already; refusing to overwrite a signing key")
    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    public = public_key_b64(key)
    private_path.with_suffix(".pub").write_text(public + "\n", encoding="ascii")
    return public


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: not a readable PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path}: the bundle signing key must be Ed25519")
    return key


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
    return buffer.getvalue()


def build_bundle(catalog_dir: Path, version: int, *, created_at: float | None = None, validate: bool = True) -> bytes:
    """An unsigned bundle of ``catalog_dir``; refuses a catalog that does not validate."""
    if version <= 0:
        raise ConfigError("--version must be a positive integer (terminals refuse anything not newer than what they run)")
    if validate:
        result = validate_dir(catalog_dir)
        if not result.ok:
            lines = "\n".join(str(p) for p in result.problems[:20])
            raise ConfigError(f"{catalog_dir}: {len(result.problems)} problem(s); fix them before bundling\n{lines}",
                              [str(p) for p in result.problems])
    members: dict[str, bytes] = {}
    for path in sorted(p for p in catalog_dir.rglob("*") if p.is_file() and p.suffix == ".json"):
        members["items/" + path.relative_to(catalog_dir).as_posix()] = path.read_bytes()
    if not members:
        raise ConfigError(f"{catalog_dir}: no *.json files to bundle")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created_at if created_at is not None else time.time()))
    manifest: dict[str, object] = {"format": FORMAT, "version": str(version), "created_at": stamp, "schema_version": SCHEMA_VERSION,
                "files": [{"path": n, "sha256": hashlib.sha256(c).hexdigest(), "size": len(c)} for n, c in sorted(members.items())]}
    members[MANIFEST] = canonical_manifest(manifest)
    return _zip(members)


def sign_bundle(data: bytes, key: Ed25519PrivateKey) -> bytes:
    """The same bundle with signature.json over its manifest (an existing signature is replaced)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {n: archive.read(n) for n in archive.namelist() if n != SIGNATURE}
    if MANIFEST not in members:
        raise ConfigError("not a bundle: no manifest.json (build it with `kiosk admin bundle`)")
    signature = key.sign(members[MANIFEST])
    public = public_key_b64(key)
    members[SIGNATURE] = json.dumps({"alg": "Ed25519", "key_id": key_id(public), "signature": base64.b64encode(signature).decode("ascii")},
                                    separators=(",", ":")).encode("ascii")
    signed = _zip(members)
    open_bundle(signed, public)  # never hand out a bundle that would not verify
    return signed


def bundle_name(version: int) -> str:
    return f"items-v{version}.zip"


def publish(data: bytes, directory: Path, public_key: str) -> tuple[str, int]:
    """Verify, then copy the bundle into the served directory; returns (file name, version). Does not roll out."""
    try:
        verified = open_bundle(data, public_key)
    except BundleRejected as exc:
        raise ConfigError(f"refusing to publish: {exc}") from None
    name = bundle_name(verified.version)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if target.exists() and target.read_bytes() != data:
        raise ConfigError(f"{target}: version {verified.version} was already published with different content; use a new version")
    tmp = directory / f".{name}.tmp"
    tmp.write_bytes(data)
    tmp.replace(target)
    return name, verified.version


def rollout(directory: Path, version: int, percent: float) -> dict[str, Any]:
    """Point the fleet at a published version: ``percent`` < 100 is a canary, the rest keep the previous version."""
    if not 0 < percent <= 100:
        raise ConfigError("--percent must be in (0, 100]")
    name = bundle_name(version)
    if not (directory / name).is_file():
        raise ConfigError(f"{directory / name}: not published (run `kiosk admin publish` first)")
    current = _read_pointer(directory)
    previous = None
    if current:
        cur_version = parse_version(current["version"])
        if cur_version == version:
            previous = current.get("rollout", {}).get("previous")
        elif cur_version < version:
            previous = {"version": str(cur_version), "bundle": current["bundle"]}
        else:
            raise ConfigError(f"version {version} is older than the current {cur_version}; publish a newer version to roll back")
    pointer: dict[str, Any] = {"version": str(version), "bundle": name}
    if percent < 100:
        pointer["rollout"] = {"percent": percent, "previous": previous}
    write_pointer(directory, pointer)
    return pointer


def _read_pointer(directory: Path) -> dict[str, Any] | None:
    path = directory / POINTER
    if not path.exists():
        return None
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: unreadable ({exc})") from None

