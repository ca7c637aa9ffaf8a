"""Shared fleet fixtures: a small real catalog, a signing key, bundle helpers."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.admin.bundles import build_bundle, sign_bundle
from kiosk.content import items_dir
from kiosk.platform.signing import public_key_b64

REPO = Path(__file__).resolve().parents[2]
ITEMS = items_dir()


def make_catalog(target: Path, items: tuple[str, ...] = ("household_certificate",)) -> Path:
    """A small catalog cut from the real one (one item + the templates), so 200 terminals validate it fast."""
    (target / "templates").mkdir(parents=True)
    for name in items:
        shutil.copy(ITEMS / f"{name}.json", target / f"{name}.json")
    for template in (ITEMS / "templates").glob("*.json"):
        shutil.copy(template, target / "templates" / template.name)
    return target


def tamper(data: bytes, member: str, change: bytes = b" ") -> bytes:
    """Rewrite one zip member (appending bytes) and keep manifest + signature as they were."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, content + change if info.filename == member else content)
    return out.getvalue()


def member_names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


@pytest.fixture
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def public_key(signing_key: Ed25519PrivateKey) -> str:
    return public_key_b64(signing_key)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return make_catalog(tmp_path / "catalog")


@pytest.fixture
def signed(catalog: Path, signing_key: Ed25519PrivateKey):  # type: ignore[no-untyped-def]
    def make(version: int, directory: Path | None = None, validate: bool = True) -> bytes:
        return sign_bundle(build_bundle(directory or catalog, version, validate=validate), signing_key)

    return make


def broken_catalog(tmp_path: Path) -> Path:
    """Same catalog with one item missing a required field: signed fine, schema-invalid."""
    target = make_catalog(tmp_path / "broken")
    path = target / "household_certificate.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc.pop("name")
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return target
