"""Serial lines (二代证 SAM, QR scanner): a recording wrapper around a pyserial port, and a replayed port.

Both look like the part of ``serial.Serial`` the drivers use (read, write, in_waiting,
reset_input_buffer, close), so ``SerialLink`` and the scanner's line framing run unchanged over them.
Only bytes that reached the driver are recorded: what ``reset_input_buffer`` threw away never did.
"""

from __future__ import annotations

from typing import Any

import serial

from drivers.idcard.transport import SerialOpener, SerialPort, open_pyserial
from drivers.replay.cursor import ReplayCursor
from drivers.replay.wire import IN, OUT, Recorder

#: pyserial's own failure, replayed as itself so the driver's except clauses run as they did.
SERIAL_ERRORS = {"SerialException": serial.SerialException, "SerialTimeoutException": serial.SerialTimeoutException}


class RecordingSerial:
    """Delegates to a real port and records every byte written and every non-empty read."""

    def __init__(self, port: Any, recorder: Recorder) -> None:
        self.port = port
        self.recorder = recorder

    @property
    def is_open(self) -> bool:
        return bool(self.port.is_open)

    @property
    def in_waiting(self) -> int:
        return int(self.port.in_waiting)

    def read(self, size: int = 1) -> bytes:
        try:
            data = bytes(self.port.read(size))
        except Exception as exc:
            self.recorder.failed("read", exc)
            raise
        if data:
            self.recorder.data(IN, data)
        return data

    def write(self, data: bytes, /) -> int | None:
        self.recorder.data(OUT, bytes(data))
        try:
            return self.port.write(data)
        except Exception as exc:
            self.recorder.failed("write", exc)
            raise

    def reset_input_buffer(self) -> None:
        self.port.reset_input_buffer()

    def close(self) -> None:
        self.recorder.op("close")
        self.port.close()


def recording_opener(recorder: Recorder, inner: SerialOpener = open_pyserial) -> SerialOpener:
    """An opener for ``SerialLink`` that records the open (or why it failed) and wraps the port."""

    def open_recorded(port: str, baudrate: int, slice_s: float) -> SerialPort:
        try:
            opened = inner(port, baudrate, slice_s)
        except Exception as exc:
            recorder.failed("open", exc)
            raise
        recorder.op("open", port=port, baudrate=baudrate)
        return RecordingSerial(opened, recorder)

    return open_recorded


class ReplaySerial:
    """A port that answers from a recording: reads arrive with their recorded timing, writes are checked."""

    def __init__(self, cursor: ReplayCursor, timeout: float = 0.02) -> None:
        self.cursor = cursor
        self.timeout = timeout  # pyserial's read timeout: the longest one read() blocks
        self.is_open = True

    @property
    def in_waiting(self) -> int:
        return self.cursor.pending()

    def read(self, size: int = 1) -> bytes:
        self._check_open()
        return self.cursor.read(size, self.timeout)

    def write(self, data: bytes, /) -> int | None:
        self._check_open()
        self.cursor.write(bytes(data))
        return len(data)

    def reset_input_buffer(self) -> None:
        self._check_open()

    def close(self) -> None:
        self.is_open = False

    def _check_open(self) -> None:
        if not self.is_open:
            raise serial.SerialException("replayed port is closed")


def replay_opener(cursor: ReplayCursor) -> SerialOpener:
    """An opener for ``SerialLink``: each open must be the recording's next open (its failure is raised)."""

    def open_replayed(port: str, baudrate: int, slice_s: float) -> SerialPort:
        cursor.operation("open")
        return ReplaySerial(cursor, slice_s)

    return open_replayed
