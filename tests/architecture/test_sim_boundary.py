"""The product (kiosk/, drivers/, screens/) never reaches into the simulators (the ``sim`` distribution).

Why: a production terminal is installed without ``sim``; any path from the product into it is either
an ImportError on a real terminal or an emulator quietly running there. The product finds the
simulators only through entry points (kiosk/plugins.py). Every way of naming a module counts: plain
imports (function bodies and TYPE_CHECKING blocks too), ``importlib.import_module("sim…")``,
``__import__("sim…")``, and any string literal that names a ``sim`` module path
(``"sim.devices.x:build"``), which is how a lazy "module:function" table would smuggle it in.

And the product wheel itself: it carries no ``sim/`` files and no emulator module, and requires neither
starlette nor uvicorn except through the ``sim`` extra.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("kiosk", "drivers", "screens")
SIM_PATH = re.compile(r"^sim(\.[A-Za-z_]\w*)+(:[A-Za-z_]\w*)?$")  # "sim.x", "sim.x.y:f"; not the "sim:" URL scheme


def _is_sim(name: str) -> bool:
    return name == "sim" or name.startswith("sim.")


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def sim_references(source: str, filename: str = "<snippet>") -> list[str]:
    """Every place ``source`` names the simulators, as ``line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if _is_sim(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and _is_sim(node.module):
            found.append(f"{node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Call) and _call_name(node.func) in ("import_module", "__import__", "find_spec"):
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _is_sim(arg.value):
                found.append(f"{node.lineno}: {_call_name(node.func)}({arg.value!r})")
            elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant) and str(arg.values[0].value).startswith("sim."):
                found.append(f"{node.lineno}: {_call_name(node.func)}(f'sim.…')")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SIM_PATH.match(node.value.strip()):
            found.append(f"{node.lineno}: string {node.value!r}")
    return found


def product_files() -> list[Path]:
    return [p for pkg in PRODUCT for p in sorted((ROOT / pkg).rglob("*.py"))]


def test_no_product_module_names_the_simulators() -> None:
    offenders = [f"{path.relative_to(ROOT)}:{ref}" for path in product_files() for ref in sim_references(path.read_text(encoding="utf-8"), str(path))]
    assert not offenders, "the product reaches into sim (use an entry point, kiosk/plugins.py):\n" + "\n".join(offenders)


@pytest.mark.parametrize("snippet", [
    "import sim\n",
    "import sim.devices.printer.emulator as e\n",
    "from sim.platform.server import EmbeddedPlatform\n",
    "def f():\n    from sim.devices import idcard\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sim.devices.chipcard.backend import SimBackend\n",
    "import importlib\nm = importlib.import_module('sim.devices.idcard.factory')\n",
    "from importlib import import_module\nm = import_module('sim.platform')\n",
    "m = __import__('sim.robot')\n",
    "name = 'x'\nimport importlib\nm = importlib.import_module(f'sim.devices.{name}.factory')\n",
    "TABLE = {('idcard', 'sim'): 'sim.devices.idcard.factory:build_sim'}\n",
])
def test_the_checker_flags_every_way_of_naming_sim(snippet: str) -> None:
    assert sim_references(snippet), snippet


@pytest.mark.parametrize("snippet", [
    'URL = "sim:idcard?card=zhangsan"\n',  # a device URL in a config or help text, not a module
    "import simplejson\nfrom simple import x\n",
    "from .sim import thing\n",  # a relative module of the product that happens to be called sim
    "scheme = 'sim'\n",
])
def test_the_checker_leaves_look_alikes_alone(snippet: str) -> None:
    assert sim_references(snippet) == [], snippet


@pytest.fixture(scope="module")
def product_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The product wheel built (isolated, as tests/packaging does) from a clean export: no build/ left in the checkout."""
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    base = tmp_path_factory.mktemp("wheel")
    src, out = base / "src", base / "dist"
    src.mkdir()
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for raw in filter(None, files):
        rel = raw.decode()
        source = ROOT / rel
        if source.is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, src / rel)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src), "-w", str(out)],
                          capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = out.glob("yukuaiban_kiosk-*.whl")
    return wheel


def test_the_product_wheel_has_no_simulator(product_wheel: Path) -> None:
    names = zipfile.ZipFile(product_wheel).namelist()
    assert any(n.startswith("kiosk/") for n in names) and any(n.startswith("drivers/") for n in names)
    assert [n for n in names if n.startswith("sim/")] == []
    assert [n for n in names if Path(n).stem == "emulator" or "/emulator/" in n] == []
    assert [n for n in names if n.startswith(("kiosk/demo/", "screens/demo/"))] == []


def test_the_product_wheel_requires_no_web_server_outside_the_sim_extra(product_wheel: Path) -> None:
    with zipfile.ZipFile(product_wheel) as wheel:
        [metadata] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        requires = [line.split(":", 1)[1].strip() for line in wheel.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")]
        [entry_points] = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
        declared = wheel.read(entry_points).decode()
    unconditional = [r for r in requires if "extra ==" not in r]
    assert not [r for r in unconditional if re.match(r"(starlette|uvicorn)\b", r, re.I)], unconditional
    assert [r for r in requires if r.startswith("yukuaiban-kiosk-sim")] and all('extra == "sim"' in r for r in requires if r.startswith("yukuaiban-kiosk-sim"))
    assert ".sim =" not in declared and "embedded" not in declared and "sim." not in declared
