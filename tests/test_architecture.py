"""Guards on the architecture: layering rules and the integration layer's public surface."""

from __future__ import annotations

import ast
from pathlib import Path

import kiosk.terminal

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in forbidden or any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_only_screens_import_kivy() -> None:
    assert _violations("kiosk", ("kivy", "screens")) == []
    assert _violations("drivers", ("kivy", "screens")) == []


def test_drivers_do_not_import_flows() -> None:
    assert _violations("drivers", ("kiosk.flows",)) == []


def test_public_surface_of_the_integration_layer_is_stable() -> None:
    expected = {
        "BarcodeReader", "Camera", "CancelToken", "ChipCardReader", "CommandRunner", "Completion", "CompletionCode",
        "Device", "DeviceClass", "DeviceService", "DeviceSpec", "DeviceState", "DeviceStatus", "DeviceUrl",
        "DocumentCamera", "DocumentPrinter", "Error", "Event", "EventBus", "IdCardReader", "MediaInserted",
        "MediaRemoved", "ReceiptPrinter", "RecoveryAction", "Scanner", "Speaker", "StatusChanged", "Terminal",
        "Threshold", "UnavailableDevice", "build_device",
    }
    assert set(kiosk.terminal.__all__) == expected
    assert all(hasattr(kiosk.terminal, name) for name in expected)
