"""udev rules that give each peripheral a stable name (/dev/kiosk-idcard …) whatever order USB enumerates.

A terminal cabinet is wired once, so a rule can match either the USB vendor:product id of the
adapter (``usb=10c4:ea60``, optionally ``serial=…`` when two identical adapters are fitted) or the
physical port (``path=pci-0000:00:14.0-usb-0:3:1.0``, from ``udevadm info -q property /dev/ttyUSB0 |
grep ID_PATH``). The default table names the adapters most often found in such cabinets; those ids
are not verified for every vendor [U], so installers override them with ``--udev NAME=…``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.errors import ConfigError

#: subsystem match + the group that must own the node, by kind of device node.
KINDS: dict[str, tuple[str, str]] = {
    "tty": ('SUBSYSTEM=="tty"', "dialout"),
    "video": ('SUBSYSTEM=="video4linux", ENV{ID_V4L_CAPABILITIES}==":capture:"', "video"),
    "usblp": ('SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*"', "lp"),
    "usb": ('SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device"', "lp"),
}


@dataclass(frozen=True)
class UdevDevice:
    name: str  # → /dev/kiosk-<name>
    kind: str  # tty | video | usblp | usb
    vendor: str = ""
    product: str = ""
    serial: str = ""
    path: str = ""

    def rule(self) -> str:
        subsystem, group = KINDS[self.kind]
        parts = [subsystem]
        if self.path:
            parts.append(f'ENV{{ID_PATH}}=="{self.path}"')
        if self.vendor:
            parts += [f'ATTRS{{idVendor}}=="{self.vendor}"', f'ATTRS{{idProduct}}=="{self.product}"']
        if self.serial:
            parts.append(f'ATTRS{{serial}}=="{self.serial}"')
        parts += [f'SYMLINK+="kiosk-{self.name}"', f'GROUP="{group}"', 'MODE="0660"']
        return ", ".join(parts)


DEFAULTS: tuple[UdevDevice, ...] = (
    UdevDevice("idcard", "tty", "10c4", "ea60"),  # CP210x bridge of many SAM readers [U]
    UdevDevice("qr", "tty", "1a86", "7523"),  # CH340 bridge of serial QR scanners [U]
    UdevDevice("printer", "usblp", "0519", "0001"),  # Star/ESC-POS USB printer class node [U]
)

_SPEC = re.compile(r"^(?P<name>[a-z0-9-]{2,20})=(?P<kind>tty|video|usblp|usb):(?P<rest>.+)$")
_HEX4 = re.compile(r"^[0-9a-f]{4}$")
_SAFE = re.compile(r"^[A-Za-z0-9:._+-]{1,120}$")


def parse_spec(text: str) -> UdevDevice:
    """``idcard=tty:usb=10c4:ea60[,serial=X]`` or ``doccam=video:path=pci-…``; ConfigError says what is wrong."""
    match = _SPEC.match(text.strip())
    if not match:
        raise ConfigError(f"--udev {text!r}: expected NAME=KIND:usb=VID:PID[,serial=S] or NAME=KIND:path=ID_PATH (KIND: {', '.join(KINDS)})")
    fields: dict[str, str] = {}
    for part in match["rest"].split(","):
        key, _, value = part.partition("=")
        if key not in ("usb", "serial", "path") or not value or not _SAFE.match(value):
            raise ConfigError(f"--udev {text!r}: bad part {part!r}")
        fields[key] = value
    vendor = product = ""
    if "usb" in fields:
        vendor, _, product = fields["usb"].lower().partition(":")
        if not (_HEX4.match(vendor) and _HEX4.match(product)):
            raise ConfigError(f"--udev {text!r}: usb= wants 4-hex-digit VID:PID")
    if not vendor and "path" not in fields:
        raise ConfigError(f"--udev {text!r}: give usb=VID:PID or path=ID_PATH")
    return UdevDevice(match["name"], match["kind"], vendor, product, fields.get("serial", ""), fields.get("path", ""))


def render_rules(devices: list[UdevDevice]) -> str:
    lines = ["# Stable names for the kiosk peripherals (written by `kiosk install-service`).",
             "# Point the terminal config at them, e.g. idcard = \"serial:///dev/kiosk-idcard?baud=115200\"."]
    lines += [device.rule() for device in devices]
    return "\n".join(lines) + "\n"
