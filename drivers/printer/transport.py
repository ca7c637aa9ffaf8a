"""python-escpos backends as a byte pipe: open, write, read with a deadline, close.

Why wrap them: the library's ``_read()`` blocks for its own long timeout and its empty answer means
"paper OK" in ``paper_status()``; its ``device`` property even opens the port on first access. We
open explicitly, read in short slices the cancel token can interrupt, and translate every library
and OS exception into our tree here, at the boundary.
"""

from __future__ import annotations

import socket
from typing import Any

from drivers.printer.options import PrinterOptions
from kiosk.errors import DeviceIOError, DeviceTimeoutError, DeviceUnavailableError
from kiosk.terminal.registry import DeviceUrl

SLICE_S = 0.02  # longest single blocking read, so cancellation reaches the worker quickly


class EscposTransport:
    """One python-escpos printer object; ``kind`` is tcp | serial | usb | file."""

    def __init__(self, kind: str, printer: Any, describe: str, unavailable: str = "") -> None:
        self.unavailable = unavailable  # why the backend's library is missing (then ``printer`` is None)
        self.kind = kind
        self.printer = printer
        self.describe = describe
        self.is_open = False

    @property
    def can_read(self) -> bool:
        return self.kind in ("tcp", "serial", "usb")

    def open(self, connect_timeout_s: float = 3.0) -> None:
        from escpos.exceptions import DeviceNotFoundError, USBNotFoundError

        if self.unavailable or self.printer is None:
            raise DeviceUnavailableError(self.unavailable or f"{self.describe}: no backend")
        if self.kind == "tcp":
            self.printer.timeout = connect_timeout_s
        try:
            self.printer.open(raise_not_found=True)
        except (DeviceNotFoundError, USBNotFoundError) as exc:
            raise DeviceIOError(f"{self.describe}: {' '.join(str(exc).split())}") from None
        except OSError as exc:
            raise DeviceIOError(f"{self.describe}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 — pyusb/pyserial raise their own types; keep the message, drop the type
            raise DeviceIOError(f"{self.describe}: {type(exc).__name__}: {exc}") from None
        self.is_open = True

    def close(self) -> None:
        self.is_open = False
        if self.printer is None:
            return
        try:
            if self.printer._device:  # never touch .device: it would open the port again
                self.printer.close()
        except Exception:  # noqa: BLE001 — closing a dead socket/port must not raise
            self.printer._device = False

    def write(self, data: bytes, timeout_s: float = 10.0) -> None:
        """Send bytes; a head that stops taking data (buffer full while offline) fails after ``timeout_s``."""
        if not self.is_open:
            raise DeviceIOError(f"{self.describe}: not open")
        dev = self.printer._device
        if self.kind == "tcp":
            dev.settimeout(max(0.05, timeout_s))
        elif self.kind == "serial":
            dev.write_timeout = max(0.05, timeout_s)
        try:
            self.printer._raw(data)
        except Exception as exc:  # noqa: BLE001 — OSError, socket.timeout, serial.SerialException, usb.core.USBError
            self.is_open = False
            if isinstance(exc, socket.timeout) or "timeout" in type(exc).__name__.lower():
                raise DeviceTimeoutError(f"{self.describe}: the printer stopped taking data") from None
            raise DeviceIOError(f"{self.describe}: write failed: {exc}") from None

    def read_byte(self, timeout_s: float) -> int | None:
        """One answer byte, or ``None`` when the printer stays silent for ``timeout_s``."""
        if not self.can_read:
            return None
        dev = self.printer._device
        if not self.is_open or not dev:
            raise DeviceIOError(f"{self.describe}: not open")
        try:
            if self.kind == "tcp":
                dev.settimeout(timeout_s)
                try:
                    data = dev.recv(1)
                except TimeoutError:
                    return None
                if not data:
                    self.is_open = False
                    raise DeviceIOError(f"{self.describe}: connection closed by the printer")
                return data[0]
            if self.kind == "serial":
                dev.timeout = timeout_s
                data = dev.read(1)
                return data[0] if data else None
            data = dev.read(self.printer.in_ep, 1, int(timeout_s * 1000))  # usb
            return data[0] if len(data) else None
        except DeviceIOError:
            raise
        except Exception as exc:  # noqa: BLE001 — pyusb/pyserial/socket errors of their own types; timeouts told apart by name
            if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
                return None
            self.is_open = False
            raise DeviceIOError(f"{self.describe}: read failed: {exc}") from None

    def drain(self) -> None:
        """Drop stale answer bytes (a late reply to an earlier query) before asking again."""
        if self.kind != "tcp" or not self.is_open:
            return
        dev = self.printer._device
        dev.setblocking(False)
        try:
            while True:
                data = dev.recv(256)
                if not data:
                    self.is_open = False
                    raise DeviceIOError(f"{self.describe}: connection closed by the printer")
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            self.is_open = False
            raise DeviceIOError(f"{self.describe}: {exc}") from None
        finally:
            if self.is_open:
                dev.setblocking(True)


def transport_for_url(url: DeviceUrl, opt: PrinterOptions) -> EscposTransport:
    """tcp://host:9100, serial:///dev/ttyS0?baud=9600, usb:?vid=0x0416&pid=0x5011, file:///dev/usb/lp0."""
    from escpos import printer as ep

    if url.scheme == "tcp":
        if not url.host:
            raise ValueError(f"{url.raw}: tcp URL needs a host")
        port = url.port or 9100
        return EscposTransport("tcp", ep.Network(url.host, port), f"printer at {url.host}:{port}")
    if url.scheme == "usb":  # validate the ids even where pyusb is missing: a typo is a config error
        if opt.vid is None or opt.pid is None:
            raise ValueError(f"{url.raw}: usb URL needs vid and pid (hex, e.g. usb:?vid=0x0416&pid=0x5011)")
        vid, pid = opt.vid, opt.pid
    if url.scheme in ("usb", "serial"):
        cls = ep.Usb if url.scheme == "usb" else ep.Serial
        if not cls.is_usable():  # never build it: python-escpos' __del__ would raise on the missing library
            lib = "pyusb (pip install python-escpos[usb])" if url.scheme == "usb" else "pyserial"
            return EscposTransport(url.scheme, None, f"{url.scheme} printer", unavailable=f"{lib} is not installed")
    if url.scheme == "serial":
        dev = url.target or url.host
        return EscposTransport("serial", ep.Serial(dev, baudrate=opt.baud, timeout=SLICE_S, dsrdtr=opt.dsrdtr), f"printer on {dev}")
    if url.scheme == "usb":
        return EscposTransport("usb", ep.Usb(vid, pid, timeout=0, in_ep=opt.in_ep, out_ep=opt.out_ep), f"USB printer {vid:04x}:{pid:04x}")
    if url.scheme == "file":
        path = url.target
        if not path:
            raise ValueError(f"{url.raw}: file URL needs a path, e.g. file:///dev/usb/lp0")
        return EscposTransport("file", ep.File(path), f"printer file {path}")
    raise ValueError(f"{url.raw}: unsupported printer scheme {url.scheme!r}")
