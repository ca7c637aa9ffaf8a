"""Shared by the packaging tests: a clean export of the working tree, the wheel built from it, and one
fresh virtualenv (no ``[sim]``, no extras) with that wheel installed from the registry, built once per session.

The export holds what ``git ls-files`` knows plus untracked, unignored files, so a stale ``build/`` or
``*.egg-info`` in the checkout never leaks into the wheel, and nothing is built inside the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def export_tree(dest: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                            check=True, timeout=60).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():  # a file deleted in the working tree but not yet committed is skipped
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


def run(args: list[str], *, timeout: float, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    assert done.returncode == 0, f"{' '.join(args)} → {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="session")
def product_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = export_tree(tmp_path_factory.mktemp("tree"))
    out = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(tree), "-w", str(out)], timeout=300)
    (wheel,) = out.glob("yukuaiban_kiosk-*.whl")
    return wheel


@pytest.fixture(scope="session")
def wheel_venv(product_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A production install: ``pip install yukuaiban_kiosk-….whl`` into a fresh venv, dependencies from the registry."""
    venv = tmp_path_factory.mktemp("venv") / "kiosk"
    run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    run([str(venv / "bin/pip"), "install", "-q", str(product_wheel)], timeout=900)
    return venv
