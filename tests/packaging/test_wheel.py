"""The wheel alone is a working product: catalog, FAQ, units found as package data of the installed copy,
``kiosk install-service`` writes a complete service tree, and nothing of the simulators is needed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.packaging.conftest import REPO, run

pytestmark = pytest.mark.slow

UNIT_TEMPLATES = sorted(p.name for p in (REPO / "kiosk/admin/units").iterdir())
CATALOG = sorted(p.relative_to(REPO / "kiosk/content").as_posix() for p in (REPO / "kiosk/content").rglob("*.json"))


def test_wheel_carries_catalog_faq_and_units(product_wheel: Path) -> None:
    names = set(zipfile.ZipFile(product_wheel).namelist())
    assert {f"kiosk/admin/units/{n}" for n in UNIT_TEMPLATES} <= names
    assert {f"kiosk/content/{n}" for n in CATALOG} <= names
    assert any(n.startswith("kiosk/content/items/templates/") for n in names)
    assert not any(n.startswith(("sim/", "tests/", "debian/")) for n in names), "the product wheel ships only the product"


def test_installed_wheel_finds_its_own_content(wheel_venv: Path) -> None:
    python = str(wheel_venv / "bin/python")
    where = run([python, "-c", "from kiosk.content import items_dir, faq_dir; from kiosk.admin.install import TEMPLATES;"
                 "print(items_dir()); print(faq_dir()); print(TEMPLATES)"], timeout=60, cwd=wheel_venv).stdout.split()
    site = (wheel_venv / "lib").resolve()
    for found in map(Path, where):
        assert found.is_dir() and site in found.resolve().parents, f"{found} is not inside the installed copy"
    checked = run([str(wheel_venv / "bin/kiosk"), "items", "validate", where[0]], timeout=120, cwd=wheel_venv).stdout
    items_in_checkout = len(list((REPO / "kiosk/content/items").glob("*.json")))
    assert f": ok — {items_in_checkout} item(s)" in checked
    assert sorted(p.name for p in Path(where[2]).iterdir()) == UNIT_TEMPLATES


def test_no_simulator_distribution_needed(wheel_venv: Path) -> None:
    listed = run([str(wheel_venv / "bin/pip"), "list", "--format=freeze"], timeout=60).stdout.lower()
    assert "yukuaiban-kiosk==0.1.0" in listed
    assert "yukuaiban-kiosk-sim" not in listed


def test_install_service_from_the_installed_wheel(wheel_venv: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    out = run([str(wheel_venv / "bin/kiosk"), "install-service", "--root", str(root)], timeout=120, cwd=tmp_path).stdout
    assert "installed" in out
    service = (root / "etc/systemd/system/kiosk.service").read_text()
    # the venv's console script is the unit's main process (`kiosk session` runs cage with `kiosk run` inside)
    assert f"ExecStart={wheel_venv}/bin/kiosk --config /etc/yukuaiban-kiosk/terminal.toml session -- " in service
    for unit in ("kiosk-restart.service", "kiosk-restart.timer"):
        assert (root / "etc/systemd/system" / unit).is_file()
    assert (root / "etc/systemd/system/graphical.target.wants/kiosk.service").is_symlink()
    rules = (root / "etc/udev/rules.d/70-yukuaiban-kiosk.rules").read_text()
    assert 'SYMLINK+="kiosk-idcard"' in rules
    assert (root / "usr/lib/sysusers.d/yukuaiban-kiosk.conf").is_file()
    assert any(line.startswith("kiosk:") for line in (root / "etc/passwd").read_text().splitlines())
    assert (root / "etc/sysctl.d/90-yukuaiban-kiosk.conf").read_text().count("kernel.sysrq = 0") == 1
