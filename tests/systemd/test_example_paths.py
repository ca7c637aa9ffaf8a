"""Issue 17 point 6: what the example config names, kiosk.service lets the app reach.

tests/settings/test_state_dir.py checks the files the app writes (data_dir, platform.key_file, logging.file;
xfs.token and the store live in data_dir). This adds what it leaves out: the device paths of the example's
[devices] URLs (visible under the unit's sandbox and reachable through its SupplementaryGroups), and the
paused unit's alert marker, which must land in the same state directory the app's data_dir is.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path, PurePosixPath

from kiosk.admin.install import TEMPLATES
from kiosk.admin.udev import DEFAULTS, KINDS
from kiosk.settings import load_config
from tests.settings.test_state_dir import EXAMPLE, is_writable

#: /dev paths → the group the node belongs to (udev's defaults on Debian 12, and our rules for /dev/kiosk-*)
KERNEL_GROUPS = {"/dev/video": "video", "/dev/ttyUSB": "dialout", "/dev/ttyACM": "dialout", "/dev/ttyS": "dialout",
                 "/dev/usb/lp": "lp", "/dev/bus/usb": "lp"}


def _service(unit: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((TEMPLATES / unit).read_text(encoding="utf-8"))
    return parser["Service"]


def _device_paths() -> dict[str, str]:
    config = load_config(EXAMPLE)
    found: dict[str, str] = {}
    for name, device in config.devices.items():
        match = re.search(r"(/dev/[A-Za-z0-9_./-]+)", device.url)
        if match:
            found[name] = match.group(1)
    return found


def _group_of(path: str) -> str | None:
    kiosk_names = {f"/dev/kiosk-{d.name}": KINDS[d.kind][1] for d in DEFAULTS}
    if path in kiosk_names:
        return kiosk_names[path]
    if path.startswith("/dev/kiosk-"):  # a name the installer's --udev NAME=KIND:… makes; KIND decides the group
        return {"idcard": "dialout", "qr": "dialout", "face": "video", "doccam": "video"}.get(path.removeprefix("/dev/kiosk-"))
    return next((group for prefix, group in KERNEL_GROUPS.items() if path.startswith(prefix)), None)


def test_example_device_paths_are_visible_and_reachable() -> None:
    service = _service("kiosk.service")
    assert service.get("PrivateDevices", "no") == "no" and service.get("DevicePolicy", "auto") == "auto"  # /dev as it is
    groups = set(service["SupplementaryGroups"].split())
    paths = _device_paths()
    assert paths, "the example names device nodes"
    unreachable = {name: path for name, path in paths.items() if _group_of(path) not in groups}
    assert not unreachable, f"device nodes whose group kiosk.service lacks: {unreachable} (groups {sorted(groups)})"


def test_no_example_device_writes_outside_the_unit() -> None:
    """File-writing device URLs (wav://DIR, file://FILE outside /dev) must point where the sandbox allows."""
    config = load_config(EXAMPLE)
    outside = {}
    for name, device in config.devices.items():
        scheme, _, rest = device.url.partition("://")
        if scheme in ("wav", "file") and not rest.startswith("/dev/"):
            path = Path("/" + rest.split("?")[0].lstrip("/"))
            if not is_writable(path):
                outside[name] = device.url
    assert not outside, outside
    assert not is_writable(Path("/var/lib/kiosk/prompts"))  # the check bites: a wav:// dir beside the state dir fails


def test_paused_marker_lands_in_the_apps_data_dir() -> None:
    kiosk, paused = _service("kiosk.service"), _service("kiosk-paused.service")
    assert paused["StateDirectory"] == kiosk["StateDirectory"]  # $STATE_DIRECTORY of both = /var/lib/<name>
    pre = [line for line in (TEMPLATES / "kiosk-paused.service").read_text(encoding="utf-8").splitlines() if line.startswith("ExecStartPre=")]
    assert any('> "$${STATE_DIRECTORY}/paused.alert"' in line for line in pre)
    data_dir = load_config(EXAMPLE).terminal.data_path()
    assert PurePosixPath(data_dir) == PurePosixPath("/var/lib", kiosk["StateDirectory"])  # the fleet agent finds it there
