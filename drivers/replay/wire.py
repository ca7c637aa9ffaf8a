"""The recording file: JSON lines, a header then one event a line (format ``kiosk-wire-recording`` v1).

Why JSON lines: a technician can read and diff a session, a crash loses at most the last line, and a
replay names the line a driver diverged at. Bytes are hex. Times are seconds since the recording began.

    {"format": "kiosk-wire-recording", "version": 1, "device_class": "idcard", "driver": "idcard.serial", ...}
    {"t": 0.0012, "op": "open"}
    {"t": 0.0015, "dir": "out", "hex": "aaaaaa96690003111213"}          host → device bytes
    {"t": 0.0031, "dir": "in", "hex": "aaaaaa9669000800009f0000"}        device → host bytes
    {"t": 0.2100, "dir": "out", "apdu": "00a404000f..."}               a command APDU (PC/SC)
    {"t": 0.2190, "dir": "in", "apdu": "9000"}                         its response: data + SW1 SW2
    {"t": 0.3000, "op": "transmit", "error": "CardAbsent", "message": "..."}   an operation failed

Recordings of real cards hold personal data: the writer creates the file 0600 and says so.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from kiosk.errors import ConfigError

FORMAT = "kiosk-wire-recording"
VERSION = 1
OUT, IN = "out", "in"

PERSONAL_DATA_WARNING = (
    "personal data: this recording holds everything the device said — a real ID card, 社保卡 or receipt puts its holder's "
    "name, ID number and photo in it. Keep it root-only (the file is 0600), never attach it to a ticket, delete it after use."
)


@dataclass(frozen=True)
class Event:
    """One line after the header. ``line`` is its 1-based line number in the file (the header is line 1)."""

    line: int
    t: float
    dir: str = ""  # OUT | IN for data events, "" for operations
    data: bytes = b""
    apdu: bool = False  # data is an APDU (or its response) rather than a piece of a byte stream
    op: str = ""  # open | close | drain | readers | connect | disconnect | transmit | read | write
    error: str = ""  # the exception class the operation raised, when it failed
    message: str = ""
    fields: dict[str, Any] = field(default_factory=dict)  # the rest: names, reader, atr …

    def describe(self) -> str:
        if self.dir:
            kind = "APDU" if self.apdu else f"{len(self.data)} bytes"
            return f"{'a write' if self.dir == OUT else 'a read'} of {kind} {_preview(self.data)} (line {self.line})"
        if self.error:
            return f"{self.op} failing with {self.error} (line {self.line})"
        return f"{self.op} (line {self.line})"


@dataclass(frozen=True)
class Recording:
    """A loaded recording: its header and its events in order."""

    path: Path
    header: dict[str, Any]
    events: tuple[Event, ...]

    @property
    def device_class(self) -> str:
        return str(self.header.get("device_class", ""))

    @property
    def options(self) -> dict[str, Any]:
        opts = self.header.get("options") or {}
        return dict(opts) if isinstance(opts, dict) else {}


def _preview(data: bytes, limit: int = 16) -> str:
    text = data[:limit].hex(" ")
    return text + (" …" if len(data) > limit else "") if data else "(empty)"


def load(path: str | os.PathLike[str]) -> Recording:
    """Read and check a recording; ConfigError names the file, the line and what is wrong."""
    where = Path(path)
    try:
        lines = where.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"recording {where}: {exc.strerror or exc}") from None
    if not lines:
        raise ConfigError(f"recording {where}: empty file")
    header = _json(where, 1, lines[0])
    if header.get("format") != FORMAT:
        raise ConfigError(f"recording {where}: line 1 is not a {FORMAT} header")
    if header.get("version") != VERSION:
        raise ConfigError(f"recording {where}: version {header.get('version')!r} (this kiosk reads version {VERSION})")
    events = [_event(where, n, _json(where, n, text)) for n, text in enumerate(lines[1:], start=2) if text.strip()]
    return Recording(where, header, tuple(events))


def _json(where: Path, n: int, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"recording {where}: line {n}: not JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise ConfigError(f"recording {where}: line {n}: not a JSON object")
    return value


def _event(where: Path, n: int, raw: dict[str, Any]) -> Event:
    rest = dict(raw)
    try:
        t = float(rest.pop("t"))
        direction = str(rest.pop("dir", ""))
        hex_text, apdu_text = rest.pop("hex", None), rest.pop("apdu", None)
        op = str(rest.pop("op", ""))
        if direction not in ("", OUT, IN) or (direction and (hex_text is None) == (apdu_text is None)) or (not direction and not op):
            raise ValueError("needs dir with hex or apdu, or an op")
        data = bytes.fromhex(str(hex_text if hex_text is not None else apdu_text or ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"recording {where}: line {n}: bad event ({exc})") from None
    return Event(n, t, direction, data, apdu_text is not None, op, str(rest.pop("error", "")), str(rest.pop("message", "")), rest)


class Recorder:
    """Appends events to a new recording file (0600), one flushed line each, from any thread."""

    def __init__(self, path: str | os.PathLike[str], header: dict[str, Any]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self._file: IO[str] | None = _open_private(self.path)
        self.events = 0
        full = {"format": FORMAT, "version": VERSION, **header,
                "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"), "personal_data": PERSONAL_DATA_WARNING}
        self._write(full)

    def data(self, direction: str, data: bytes, *, apdu: bool = False) -> None:
        self._event({"dir": direction, ("apdu" if apdu else "hex"): data.hex()})

    def op(self, op: str, **fields: Any) -> None:
        self._event({"op": op, **fields})

    def failed(self, op: str, exc: BaseException) -> None:
        self._event({"op": op, "error": type(exc).__name__, "message": str(exc)})

    def close(self) -> None:
        with self._lock:
            file, self._file = self._file, None
        if file is not None:
            file.close()

    def _event(self, body: dict[str, Any]) -> None:
        self._write({"t": round(time.monotonic() - self._start, 6), **body}, count=True)

    def _write(self, obj: dict[str, Any], count: bool = False) -> None:
        line = json.dumps(obj, ensure_ascii=False, separators=(", ", ": ")) + "\n"
        with self._lock:
            if self._file is None:
                return  # recording stopped; the device may still be closing
            self._file.write(line)
            self._file.flush()
            self.events += count


def _open_private(path: Path) -> IO[str]:
    """Create (or truncate) ``path`` readable by its owner only, whatever the umask, never through a symlink."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode on O_CREAT
    return os.fdopen(fd, "w", encoding="utf-8")
