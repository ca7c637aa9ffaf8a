"""The serial line to the SAM: pyserial at 115200 8N1, read in short slices so cancel and timeouts bite.

Why slices: pyserial blocks for its whole timeout. Each read here waits at most ``slice_s`` (20 ms)
and asks for exactly the bytes the frame in progress still needs, so a complete answer is returned
the moment its last byte lands (no slice wait on the fast path) and a silent or cancelled exchange
is noticed within one slice. Every pyserial/OS failure leaves this module as a ``kiosk.errors``
exception: a missing node is ``DeviceUnavailableError``, a port that vanished is ``DeviceIOError``.
"""

from __future__ import annotations

import errno
import logging
import termios
import time
from collections.abc import Callable
from typing import Protocol

import serial

from drivers.idcard.protocol import MIN_LEN, ChecksumError, FrameParser, Response
from kiosk.errors import DeviceIOError, DeviceTimeoutError, DeviceUnavailableError, ProtocolError
from kiosk.terminal.cancel import CancelToken

log = logging.getLogger(__name__)

#: Stop waiting this long before the command's own deadline, so our specific error ("SAM silent",
#: "garbage on the line") reaches the caller instead of the runner's generic timeout.
DEADLINE_MARGIN_S = 0.05


class SerialPort(Protocol):
    """What SerialLink uses of a pyserial port (the record/replay transports in drivers/replay provide it too)."""

    @property
    def is_open(self) -> bool: ...

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes, /) -> int | None: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...


#: ``opener(port, baudrate, slice_s)`` → an open port; raises pyserial's or a ``kiosk.errors`` exception.
SerialOpener = Callable[[str, int, float], SerialPort]


def open_pyserial(port: str, baudrate: int, slice_s: float) -> SerialPort:
    """The real line: 8N1, reads block at most one slice, writes at most 1 s."""
    return serial.Serial(port, baudrate, bytesize=8, parity="N", stopbits=1, timeout=slice_s, write_timeout=1.0)


class SerialLink:
    """One serial port; ``exchange()`` sends a request frame and returns the parsed answer.

    ``opener`` is the wire seam: ``kiosk device record`` wraps it, a ``replay:`` URL replaces it.
    """

    def __init__(self, port: str, baudrate: int = 115200, slice_s: float = 0.02, opener: SerialOpener = open_pyserial) -> None:
        self.port = port
        self.baudrate = baudrate
        self.slice_s = slice_s
        self.opener = opener
        self._serial: SerialPort | None = None

    @property
    def is_open(self) -> bool:
        return self._serial is not None and self._serial.is_open

    def open(self) -> None:
        self.close()
        try:
            self._serial = self.opener(self.port, self.baudrate, self.slice_s)
        except serial.SerialException as exc:
            code = exc.errno if isinstance(exc.errno, int) else None
            if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO) or "No such file" in str(exc):
                raise DeviceUnavailableError(f"no device at {self.port}") from None
            raise DeviceIOError(f"cannot open {self.port}: {exc}") from None
        except (OSError, ValueError) as exc:
            raise DeviceIOError(f"cannot open {self.port}: {exc}") from None

    def close(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            try:
                ser.close()
            except (OSError, serial.SerialException, termios.error):
                pass

    def _port(self) -> SerialPort:
        if self._serial is None:
            raise DeviceIOError(f"{self.port} is not open")
        return self._serial

    def send(self, frame: bytes) -> None:
        ser = self._port()
        try:
            ser.reset_input_buffer()  # a stale answer to an abandoned command must not pass as this one's
            ser.write(frame)
        except (serial.SerialException, OSError, termios.error) as exc:  # tcflush on a vanished pty: termios.error
            self.close()
            raise DeviceIOError(f"{self.port} write failed: {exc}") from None

    def receive(self, token: CancelToken, timeout_s: float, label: str) -> Response:
        """Wait for one valid answer frame; resynchronise past garbage; raise naming the cause."""
        ser = self._port()
        parser = FrameParser(min_len=MIN_LEN + 1)
        started = time.monotonic()
        deadline = min(started + timeout_s, token.deadline - DEADLINE_MARGIN_S)
        while True:
            token.check()
            try:
                chunk = ser.read(parser.wanted())
            except (serial.SerialException, OSError) as exc:
                self.close()
                raise DeviceIOError(f"{self.port} read failed: {exc}") from None
            if chunk:
                parser.feed(chunk)
                body = parser.next_frame()
                if body is not None:
                    if parser.discarded:
                        log.info("idcard %s: resynchronised after %d stray bytes", label, parser.discarded)
                    return Response.from_body(body)
            elif parser.bad_checksums:
                raise ChecksumError(f"checksum error in the SAM's answer to {label}")
            if time.monotonic() >= deadline:
                waited = time.monotonic() - started
                if parser.discarded:
                    raise ProtocolError(
                        f"no valid frame in the answer to {label} within {waited:.1f} s ({parser.discarded} garbage bytes discarded)"
                    )
                raise DeviceTimeoutError(f"no answer to {label} in {waited:.1f} s")

    def exchange(self, frame: bytes, token: CancelToken, timeout_s: float, label: str) -> Response:
        self.send(frame)
        return self.receive(token, timeout_s, label)
