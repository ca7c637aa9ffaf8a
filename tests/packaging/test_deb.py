"""``make package`` builds a .deb that lintian accepts, depends on what the terminal needs at run time,
carries the app, units, sysusers and udev rules, and runs from an unpacked copy.

It takes ~10 minutes (pip into the private virtualenv, gzip of ~490 MB, lintian over ~8000 files), so
``make test`` leaves it out: ``RUN_PACKAGE_TEST=1 .venv/bin/python -m pytest tests/packaging/test_deb.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import REPO, run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400),  # the build alone takes ~10 min on 2 cores
              pytest.mark.skipif(os.environ.get("RUN_PACKAGE_TEST") != "1", reason="~10 min: RUN_PACKAGE_TEST=1 runs it"),
              pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="not a Debian system")]

RUNTIME = ("cage", "xwayland", "pcscd", "fonts-noto-cjk", "espeak-ng", "sox", "sane-utils", "libsane1", "cups-client",
           "python3", "opencv-data", "libgl1-mesa-dri", "librime1", "rime-data-luna-pinyin", "libzinnia0", "swayimg")
SHIPPED = ("./usr/bin/kiosk", "./opt/yukuaiban-kiosk/bin/kiosk", "./lib/systemd/system/kiosk.service",
           "./lib/systemd/system/kiosk-restart.timer", "./lib/systemd/system/kiosk-restart.service",
           "./lib/systemd/system/kiosk-paused.service", "./usr/share/yukuaiban-kiosk/paused-portrait.png",
           "./usr/share/yukuaiban-kiosk/paused-landscape.png",
           "./usr/lib/sysusers.d/yukuaiban-kiosk.conf", "./lib/udev/rules.d/70-yukuaiban-kiosk.rules",
           "./usr/lib/sysctl.d/90-yukuaiban-kiosk.conf", "./usr/lib/systemd/logind.conf.d/yukuaiban-kiosk.conf",
           "./usr/lib/systemd/journald.conf.d/yukuaiban-kiosk.conf",
           "./usr/share/doc/yukuaiban-kiosk/examples/terminal.example.toml")


@pytest.fixture(scope="module")
def deb() -> Path:
    done = subprocess.run(["make", "package"], cwd=REPO, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"make package → {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert not re.search(r"^E: ", done.stdout, re.M), "lintian reported errors"
    (found,) = (REPO / "out/package").glob("yukuaiban-kiosk_*.deb")
    return found


def test_depends_on_the_runtime(deb: Path) -> None:
    info = run(["dpkg-deb", "-f", str(deb), "Depends"], timeout=60).stdout
    names = {re.split(r"[ (]", dep.strip())[0] for dep in info.split(",")}
    assert set(RUNTIME) <= names, set(RUNTIME) - names
    assert any(re.fullmatch(r"python3\.1[1-3]", n) for n in names), "the virtualenv's exact interpreter"


def test_ships_app_units_sysusers_and_rules(deb: Path) -> None:
    listing = run(["dpkg-deb", "-c", str(deb)], timeout=120).stdout
    paths = {line.split()[5] for line in listing.splitlines()}
    missing = [p for p in SHIPPED if p not in paths]
    assert not missing
    assert not any("__pycache__" in p for p in paths), "byte code is written by postinst, not shipped"
    assert any(p.startswith("./opt/yukuaiban-kiosk/lib/python3") and p.endswith("/kiosk/content/items/") for p in paths)
    scripts = run(["dpkg-deb", "-I", str(deb), "postinst"], timeout=60).stdout
    assert "systemd-sysusers" in scripts and "deb-systemd-helper enable 'kiosk.service'" in scripts


def test_unpacked_package_runs_and_installs_a_service(deb: Path, tmp_path: Path) -> None:
    run(["dpkg-deb", "-x", str(deb), str(tmp_path / "x")], timeout=300)
    venv = tmp_path / "x/opt/yukuaiban-kiosk"
    text = (tmp_path / "x/lib/systemd/system/kiosk.service").read_text()
    assert "ExecStart=/opt/yukuaiban-kiosk/bin/kiosk --config /etc/yukuaiban-kiosk/terminal.toml session -- /usr/bin/cage -d --" in text
    assert str(REPO) not in (venv / "bin/kiosk").read_text() and "/opt/yukuaiban-kiosk/bin/python3" in (venv / "bin/kiosk").read_text()
    # The scripts' shebang names /opt/…; unpacked elsewhere, the venv's python3 (symlink + pyvenv.cfg) runs them.
    kiosk = [str(venv / "bin/python3"), str(venv / "bin/kiosk")]
    assert "install-service" in run([*kiosk, "--help"], timeout=120).stdout
    root = tmp_path / "root"
    run([*kiosk, "install-service", "--root", str(root), "--exec", "/opt/yukuaiban-kiosk/bin/kiosk"], timeout=120)
    assert (root / "etc/systemd/system/kiosk.service").is_file()
    assert (root / "etc/udev/rules.d/70-yukuaiban-kiosk.rules").is_file()
    where = run([str(venv / "bin/python3"), "-c", "from kiosk.content import items_dir; print(items_dir())"], timeout=60,
                cwd=tmp_path).stdout.strip()  # not the checkout: -c puts the cwd on sys.path
    assert Path(where).resolve().is_relative_to(venv.resolve())
