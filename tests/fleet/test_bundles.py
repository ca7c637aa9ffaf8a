"""Signed bundles on one terminal: verify, stage, switch at a session boundary, health check, rollback, rejections."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.admin.bundles import build_bundle, sign_bundle
from kiosk.fleet.bundle import BundleRejected, open_bundle
from kiosk.fleet.configs import ConfigBundles
from kiosk.items import load_catalog
from kiosk.store import AuditTrail, Store
from tests.fleet.conftest import ITEMS, broken_catalog, member_names, tamper


@pytest.fixture
def audit(tmp_path: Path) -> AuditTrail:
    return AuditTrail(Store(tmp_path / "store.db"))


@pytest.fixture
def configs(tmp_path: Path, public_key: str, audit: AuditTrail) -> ConfigBundles:
    return ConfigBundles(tmp_path / "terminal", ITEMS, public_key, audit=audit)


def actions(audit: AuditTrail) -> list[str]:
    return [r.action for r in audit.records()]


def test_stage_then_switch_only_at_a_session_boundary(configs: ConfigBundles, signed, audit: AuditTrail) -> None:  # type: ignore[no-untyped-def]
    assert configs.active_dir() == ITEMS and configs.state.active == 0
    assert configs.accept(signed(3), source="items-v3.zip") == 3
    assert configs.state.staged == 3 and configs.state.active == 0
    assert configs.apply_staged_if_idle(session_active=True) == "deferred"  # a citizen is in a session
    assert configs.state.active == 0
    assert configs.apply_staged_if_idle(session_active=False) == "applied"
    assert configs.state.active == 3 and configs.state.previous == 0 and configs.state.staged is None
    assert len(load_catalog(configs.active_dir()).items) == 1 < len(load_catalog(ITEMS).items)
    assert configs.state.ack() == {"version": "3", "state": "applied", "target": "3", "reason": ""}
    assert actions(audit) == ["config.staged", "config.switched", "config.applied"]
    assert configs.apply_staged_if_idle(False) == "none"
    assert audit.verify().ok


def test_state_survives_a_restart(tmp_path: Path, configs: ConfigBundles, signed, public_key: str) -> None:  # type: ignore[no-untyped-def]
    configs.accept(signed(4))
    configs.apply_staged_if_idle(False)
    configs.accept(signed(5))
    again = ConfigBundles(tmp_path / "terminal", ITEMS, public_key)
    assert (again.state.active, again.state.previous, again.state.staged) == (4, 0, 5)
    assert again.apply_staged_if_idle(False) == "applied" and again.state.active == 5


def test_failed_health_check_rolls_back_by_itself(tmp_path: Path, public_key: str, signed, audit: AuditTrail) -> None:  # type: ignore[no-untyped-def]
    calls: list[Path] = []

    def health(directory: Path) -> None:
        calls.append(directory)
        if directory.name == "7":
            raise RuntimeError("flows cannot build the home screen")

    configs = ConfigBundles(tmp_path / "t", ITEMS, public_key, audit=audit, health_check=health)
    configs.accept(signed(6))
    assert configs.apply_staged_if_idle(False) == "applied"
    configs.accept(signed(7))
    assert configs.apply_staged_if_idle(False) == "rolled_back"
    assert configs.state.active == 6
    assert configs.state.ack()["state"] == "rolled_back" and configs.state.ack()["target"] == "7"
    assert "flows cannot build the home screen" in configs.state.reason
    assert actions(audit)[-2:] == ["config.switched", "config.rolled_back"]


def test_manual_rollback_from_maintenance(configs: ConfigBundles, signed) -> None:  # type: ignore[no-untyped-def]
    configs.accept(signed(2))
    configs.apply_staged_if_idle(False)
    assert configs.rollback("technician") == 0
    assert configs.active_dir() == ITEMS
    with pytest.raises(BundleRejected, match="no previous"):
        configs.rollback()


def _rejections(configs: ConfigBundles, signed, tmp_path: Path, signing_key: Ed25519PrivateKey, catalog: Path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    good = signed(9)
    item = next(n for n in member_names(good) if n.endswith("household_certificate.json"))
    other = Ed25519PrivateKey.generate()
    return {
        "tampered": tamper(good, item),
        "tampered_manifest": tamper(good, "manifest.json", b"\n"),
        "unsigned": build_bundle(catalog, 9),
        "bad_signature": sign_bundle(build_bundle(catalog, 9), other),
        "schema_invalid": signed(9, broken_catalog(tmp_path), validate=False),
        "extra_file": _with_extra(good),
        "not_a_bundle": b"PK\x03\x04 definitely not a zip",
    }


def _with_extra(data: bytes) -> bytes:
    import io
    import zipfile

    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("items/evil.json", "{}")
    return out.getvalue()


def test_every_bad_bundle_is_rejected_and_the_running_config_stays(tmp_path: Path, configs: ConfigBundles, signed, audit: AuditTrail,  # type: ignore[no-untyped-def]
                                                                   signing_key: Ed25519PrivateKey, catalog: Path) -> None:
    configs.accept(signed(8))
    configs.apply_staged_if_idle(False)
    before = sorted(p.name for p in configs.active_dir().iterdir())
    bad = _rejections(configs, signed, tmp_path, signing_key, catalog)
    bad["older"] = signed(5)
    bad["same"] = signed(8)
    expected = {"tampered": "tampered", "tampered_manifest": "bad_signature", "unsigned": "unsigned", "bad_signature": "bad_signature",
                "schema_invalid": "schema_invalid", "extra_file": "tampered", "not_a_bundle": "not_a_bundle", "older": "older", "same": "older"}
    for name, data in bad.items():
        with pytest.raises(BundleRejected) as caught:
            configs.accept(data, source=name)
        assert caught.value.reason == expected[name], name
        assert configs.state.active == 8 and configs.state.staged is None
        assert configs.state.ack()["state"] == "rejected"
    assert sorted(p.name for p in configs.active_dir().iterdir()) == before
    rejected = [r for r in audit.records() if r.action == "config.rejected"]
    assert [r.detail["source"] for r in rejected] == list(bad)
    assert {r.detail["reason"] for r in rejected} == set(expected.values())
    assert sorted(p.name for p in (configs.root / "versions").iterdir()) == ["8"]  # nothing rejected left on disk


def test_no_pinned_key_refuses_everything(tmp_path: Path, signed) -> None:  # type: ignore[no-untyped-def]
    configs = ConfigBundles(tmp_path / "t", ITEMS, "")
    with pytest.raises(BundleRejected, match="no_pinned_key"):
        configs.accept(signed(1))


def test_unsafe_paths_are_refused(public_key: str, signing_key: Ed25519PrivateKey, tmp_path: Path) -> None:
    import hashlib
    import io
    import zipfile

    from kiosk.fleet.bundle import FORMAT, canonical_manifest

    content = b"{}"
    manifest = canonical_manifest({"format": FORMAT, "version": "3", "files": [{"path": "items/../../etc/x.json", "sha256": hashlib.sha256(content).hexdigest(), "size": 2}]})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.json", manifest)
        archive.writestr("items/../../etc/x.json", content)
    import base64
    import json

    sig = {"alg": "Ed25519", "key_id": "x", "signature": base64.b64encode(signing_key.sign(manifest)).decode()}
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("signature.json", json.dumps(sig))
    with pytest.raises(BundleRejected, match="unsafe_path"):
        open_bundle(out.getvalue(), public_key)


async def test_bundles_from_a_plain_static_web_server(tmp_path: Path, configs: ConfigBundles, signed, public_key: str) -> None:  # type: ignore[no-untyped-def]
    """Any static server works (here Starlette's StaticFiles: ETag + 304), canary chosen on the terminal."""
    import httpx
    from starlette.staticfiles import StaticFiles

    from kiosk.admin.bundles import publish, rollout
    from kiosk.fleet.static_source import StaticBundleSource
    from kiosk.fleet.updater import ConfigUpdater
    from kiosk.platform.rollout import bucket

    served = tmp_path / "cdn"
    publish(signed(4), served, public_key)
    terminal_id = next(f"CQ-500112-S{i:03d}" for i in range(1000) if bucket(f"CQ-500112-S{i:03d}", "4") >= 50)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=StaticFiles(directory=served)), base_url="http://cdn") as http:
        updater = ConfigUpdater(configs, StaticBundleSource("http://cdn", terminal_id, http))
        rollout(served, 4, 50)
        assert await updater.check() == "current"  # outside the 50 % canary: stays on the built-in catalog
        rollout(served, 4, 100)
        assert await updater.check() == "staged"
        configs.apply_staged_if_idle(False)
        publish(signed(5), served, public_key)
        rollout(served, 5, 100)
        (served / "items-v5.zip").write_bytes((served / "items-v5.zip").read_bytes()[:-10])  # truncated on the CDN
        assert await updater.check() == "rejected"
        assert await updater.check() == "unchanged"  # If-None-Match → 304: no second download, no second audit record
        assert configs.state.active == 4
