"""A torn, corrupt or deleted config-bundles/state.json never drops the terminal to the shipped catalog, and an
older signed bundle is never accepted again: the last applied version is mirrored in the SQLite store (FULL sync)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.fleet.bundle import BundleRejected
from kiosk.fleet.configs import ConfigBundles
from kiosk.store import AuditTrail, Store
from tests.fleet.conftest import ITEMS


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "kiosk.db")


def _bundles(tmp_path: Path, public_key: str, store: Store | None) -> ConfigBundles:
    return ConfigBundles(tmp_path / "config-bundles", ITEMS, public_key, audit=AuditTrail(store) if store else None, store=store)


def _applied(tmp_path: Path, public_key: str, store: Store, signed, *versions: int) -> ConfigBundles:  # type: ignore[no-untyped-def]
    configs = _bundles(tmp_path, public_key, store)
    for version in versions:
        configs.accept(signed(version))
        assert configs.apply_staged_if_idle(session_active=False) == "applied"
    return configs


@pytest.mark.parametrize("damage", ["torn", "garbage", "checksum", "deleted"])
def test_a_damaged_state_file_keeps_the_running_version_and_refuses_older_bundles(
        tmp_path: Path, public_key: str, store: Store, signed, damage: str) -> None:  # type: ignore[no-untyped-def]
    _applied(tmp_path, public_key, store, signed, 2, 3)
    state = tmp_path / "config-bundles" / "state.json"
    text = state.read_text(encoding="utf-8")
    if damage == "torn":
        state.write_text(text[: len(text) // 2], encoding="utf-8")
    elif damage == "garbage":
        state.write_bytes(b"\x00" * len(text))
    elif damage == "checksum":
        doc = json.loads(text)
        doc["data"]["active"] = 0
        state.write_text(json.dumps(doc), encoding="utf-8")
    else:
        state.unlink()

    again = _bundles(tmp_path, public_key, store)
    assert again.state.active == 3 and again.active_dir() != ITEMS  # not the shipped catalog
    assert again.alerts()[0]["code"] == "config_state_corrupt"
    assert "config.state_recovered" in [r.action for r in AuditTrail(store).records()]
    with pytest.raises(BundleRejected) as refused:
        again.accept(signed(1))  # an older signed bundle
    assert refused.value.reason == "older"
    assert _bundles(tmp_path, public_key, store).state.active == 3 and _bundles(tmp_path, public_key, store).alerts() == []  # rewritten whole


def test_the_floor_survives_even_a_lost_pointer_and_a_rollback(tmp_path: Path, public_key: str, store: Store, signed) -> None:  # type: ignore[no-untyped-def]
    configs = _applied(tmp_path, public_key, store, signed, 4, 5)
    assert configs.floor() == 5
    configs.rollback()  # a technician goes back to 4: allowed, the floor stays at 5
    assert configs.state.active == 4 and configs.floor() == 5
    (tmp_path / "config-bundles" / "state.json").unlink()
    again = _bundles(tmp_path, public_key, store)
    assert again.state.active == 4  # the mirror followed the rollback
    with pytest.raises(BundleRejected):
        again.accept(signed(3))  # below the floor


def test_without_a_mirror_the_newest_version_on_disk_is_kept(tmp_path: Path, public_key: str, store: Store, signed) -> None:  # type: ignore[no-untyped-def]
    _applied(tmp_path, public_key, store, signed, 2, 3)
    (tmp_path / "config-bundles" / "state.json").write_text('{"active": 3, "prev', encoding="utf-8")
    again = _bundles(tmp_path, public_key, None)  # e.g. kiosk.db was quarantined and is fresh
    assert again.state.active == 3


def test_state_json_is_written_with_a_checksum(tmp_path: Path, public_key: str, store: Store, signed) -> None:  # type: ignore[no-untyped-def]
    _applied(tmp_path, public_key, store, signed, 2)
    doc = json.loads((tmp_path / "config-bundles" / "state.json").read_text(encoding="utf-8"))
    assert doc["data"]["active"] == 2 and len(doc["sha256"]) == 64
    assert not list((tmp_path / "config-bundles").glob(".*tmp"))
