"""The receipt printer's byte pipe (ESC/POS out, DLE EOT status bytes in), recorded and replayed.

Both are ``EscposTransport``s, so ``EscPosPrinter`` takes them where it takes the real one: the
recording one is the real transport (same python-escpos object) that also writes down every byte;
the replayed one has no printer behind it and answers from the recording.
"""

from __future__ import annotations

from drivers.printer.transport import EscposTransport
from drivers.replay.cursor import ReplayCursor
from drivers.replay.wire import IN, OUT, Recorder
from kiosk.errors import DeviceIOError


class RecordingPrinterTransport(EscposTransport):
    """The real transport's backend, with each open, write, status byte and drain recorded."""

    def __init__(self, inner: EscposTransport, recorder: Recorder) -> None:
        super().__init__(inner.kind, inner.printer, inner.describe, inner.unavailable)
        self.recorder = recorder

    def open(self, connect_timeout_s: float = 3.0) -> None:
        try:
            super().open(connect_timeout_s)
        except Exception as exc:
            self.recorder.failed("open", exc)
            raise
        self.recorder.op("open")

    def close(self) -> None:
        if self.is_open:
            self.recorder.op("close")
        super().close()

    def write(self, data: bytes, timeout_s: float = 10.0) -> None:
        self.recorder.data(OUT, data)
        try:
            super().write(data, timeout_s)
        except Exception as exc:
            self.recorder.failed("write", exc)
            raise

    def read_byte(self, timeout_s: float) -> int | None:
        try:
            value = super().read_byte(timeout_s)
        except Exception as exc:
            self.recorder.failed("read", exc)
            raise
        if value is not None:
            self.recorder.data(IN, bytes([value]))
        return value

    def drain(self) -> None:
        if self.is_open:
            self.recorder.op("drain")
        super().drain()


class ReplayPrinterTransport(EscposTransport):
    """No printer: writes are checked against the recording, status bytes come from it with their timing."""

    def __init__(self, cursor: ReplayCursor, kind: str) -> None:
        super().__init__(kind, None, f"replay of {cursor.recording.path.name}")
        self.cursor = cursor

    def open(self, connect_timeout_s: float = 3.0) -> None:
        self.cursor.operation("open")
        self.is_open = True

    def close(self) -> None:
        self.is_open = False

    def write(self, data: bytes, timeout_s: float = 10.0) -> None:
        if not self.is_open:
            raise DeviceIOError(f"{self.describe}: not open")
        try:
            self.cursor.write(data)
        except Exception:
            self.is_open = False  # a failed write closes the real transport too
            raise

    def read_byte(self, timeout_s: float) -> int | None:
        if not self.can_read:
            return None
        try:
            data = self.cursor.read(1, timeout_s)
        except Exception:
            self.is_open = False
            raise
        return data[0] if data else None

    def drain(self) -> None:
        return None
