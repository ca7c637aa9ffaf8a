"""A Linux input event device (``/dev/input/eventN``) read directly: the binary records, grabbed.

Each read returns whole ``struct input_event`` records (linux/input.h): a ``struct timeval``
(two C longs), ``__u16 type``, ``__u16 code``, ``__s32 value`` — 24 bytes on 64-bit Linux. The
format is the native one (``struct`` "@llHHi"), as the kernel writes it for this process.

``EVIOCGRAB`` makes this process the device's only reader, so the scanner's keystrokes never reach
the Wayland/X session (a token typed into the screen's search box). A grab fails on a device
another process holds (``EBUSY``) and on anything that is not an event device (``ENOTTY``/
``EINVAL``: a FIFO a test peer writes records into): that is reported (``grab_error``), never
fatal; with ``require_grab`` the open fails instead.

The device is found by a path (a udev ``by-id`` symlink stays the same whichever eventN the
scanner lands on) or, given a directory (default ``/dev/input/by-id``) and ``match``, by the first
``*match*-event-kbd`` entry in it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import select
import struct
from pathlib import Path

from kiosk.errors import DeviceIOError, DeviceUnavailableError

EVENT_FORMAT = "@llHHi"
EVENT_SIZE = struct.calcsize(EVENT_FORMAT)
BY_ID_DIR = "/dev/input/by-id"


def _ioc(direction: int, kind: str, number: int, size: int) -> int:
    """The kernel's _IOC(dir, type, nr, size) (asm-generic/ioctl.h)."""
    return (direction << 30) | (size << 16) | (ord(kind) << 8) | number


_IOC_WRITE, _IOC_READ = 1, 2
EVIOCGRAB = _ioc(_IOC_WRITE, "E", 0x90, struct.calcsize("i"))  # 0x40044590


def EVIOCGNAME(length: int) -> int:  # the kernel macro's name
    return _ioc(_IOC_READ, "E", 0x06, length)


def pack_event(ev_type: int, code: int, value: int, sec: int = 0, usec: int = 0) -> bytes:
    """One input_event record as the kernel writes it (the test peer and the recorder use this)."""
    return struct.pack(EVENT_FORMAT, sec, usec, ev_type, code, value)


def find_device(target: str, match: str = "") -> Path:
    """The event device a URL names: ``target`` itself, or the first ``*match*-event-kbd`` in directory ``target``."""
    path = Path(target or BY_ID_DIR)
    if not match:
        if not path.exists():
            raise DeviceUnavailableError(f"no input device at {path}")
        if path.is_dir():
            raise DeviceUnavailableError(f"{path} is a directory: name the scanner with match=")
        return path
    if not path.is_dir():
        raise DeviceUnavailableError(f"no input device directory {path} to find {match!r} in")
    found = sorted(p for p in path.iterdir() if match.lower() in p.name.lower() and p.name.endswith("event-kbd"))
    if not found:
        raise DeviceUnavailableError(f"no keyboard-type input device matching {match!r} in {path}")
    return found[0]


class EventDevice:
    """An open event device: ``read_events`` returns whole records; unplug raises ``DeviceIOError``."""

    def __init__(self, path: Path, *, grab: bool = True) -> None:
        self.path = path
        try:
            self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            raise DeviceUnavailableError(f"cannot open scanner input device {path}: {exc.strerror}") from None
        self._pending = b""  # a record split across reads (a FIFO; the kernel never splits one)
        self.grabbed = False
        self.grab_error = ""
        self.name = self._device_name()
        if grab:
            self._grab()

    def _grab(self) -> None:
        try:
            fcntl.ioctl(self.fd, EVIOCGRAB, 1)
            self.grabbed = True
        except OSError as exc:
            reason = {errno.EBUSY: "another process holds it", errno.ENOTTY: "not an event device",
                      errno.EINVAL: "not an event device"}.get(exc.errno or 0, exc.strerror or str(exc))
            self.grab_error = f"cannot grab {self.path} ({reason}): its keystrokes also reach the screen"

    def _device_name(self) -> str:
        buf = bytearray(256)
        try:
            length = fcntl.ioctl(self.fd, EVIOCGNAME(len(buf)), buf, True)
        except OSError:
            return ""
        return bytes(buf[: max(0, length - 1)]).decode("utf-8", "replace")

    def drain(self) -> int:
        """Throw away every queued event (keys typed before a read started belong to nobody)."""
        thrown = 0
        while True:
            try:
                chunk = os.read(self.fd, EVENT_SIZE * 64)
            except BlockingIOError:
                break
            except OSError as exc:
                raise DeviceIOError(f"scanner input device {self.path} failed: {exc.strerror}") from None
            if not chunk:
                break
            thrown += len(chunk)
        self._pending = b""
        return thrown // EVENT_SIZE

    def read_events(self, timeout_s: float) -> list[tuple[int, int, int]]:
        """(type, code, value) of the records that arrive within ``timeout_s`` (maybe none)."""
        ready, _, _ = select.select([self.fd], [], [], timeout_s)
        if not ready:
            return []
        try:
            chunk = os.read(self.fd, EVENT_SIZE * 64)
        except BlockingIOError:
            return []
        except OSError as exc:  # ENODEV: the scanner was unplugged
            raise DeviceIOError(f"scanner input device {self.path} failed: {exc.strerror}") from None
        if not chunk:  # end of file: a real event device never ends, so the peer is gone
            raise DeviceIOError(f"scanner input device {self.path} closed")
        data = self._pending + chunk
        whole = len(data) - len(data) % EVENT_SIZE
        self._pending = data[whole:]
        return [(t, c, v) for _s, _u, t, c, v in struct.iter_unpack(EVENT_FORMAT, data[:whole])]

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd < 0:
            return
        if self.grabbed:
            try:
                fcntl.ioctl(fd, EVIOCGRAB, 0)
            except OSError:
                pass
        os.close(fd)
