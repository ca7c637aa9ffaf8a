"""PC/SC (社保卡): the service's ``Pcsc`` seam recorded and replayed at the APDU level.

What is recorded is what the service sees of pcscd: the reader list, each connect (reader, ATR),
every command APDU and its response (data + SW1 SW2), and failures by their class (a card lifted
mid-read is ``CardAbsent``). The replayed session is a ``CardSession`` that never touches pyscard,
so the read sequences and the service's completion mapping run unchanged.
"""

from __future__ import annotations

from drivers.chipcard.transport import CardAbsent, CardSession, Pcsc, PcscdDown, ReaderMissing
from drivers.replay.cursor import ReplayCursor, ReplayMismatch
from drivers.replay.wire import IN, OUT, Recorder
from kiosk.errors import DeviceIOError

PCSC_ERRORS = {"CardAbsent": CardAbsent, "PcscdDown": PcscdDown, "ReaderMissing": ReaderMissing}


class RecordingSession(CardSession):
    """A real card session whose connect, APDUs and close are written down."""

    def __init__(self, inner: CardSession, recorder: Recorder) -> None:
        super().__init__(inner.reader)
        self.inner = inner
        self.recorder = recorder

    def connect(self) -> None:
        try:
            self.inner.connect()
        except Exception as exc:
            self.recorder.failed("connect", exc)
            raise
        self.atr = self.inner.atr
        self.recorder.op("connect", reader=self.reader, atr=self.atr.hex())

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.recorder.data(OUT, apdu, apdu=True)
        try:
            data, sw = self.inner.transmit(apdu)
        except Exception as exc:
            self.recorder.failed("transmit", exc)
            raise
        self.recorder.data(IN, data + sw.to_bytes(2, "big"), apdu=True)
        return data, sw

    def card_gone(self, settle_s: float = 0.6) -> bool:
        return self.inner.card_gone(settle_s)

    def close(self) -> None:
        self.recorder.op("disconnect")
        self.inner.close()


class RecordingPcsc(Pcsc):
    def __init__(self, inner: Pcsc, recorder: Recorder) -> None:
        self.inner = inner
        self.recorder = recorder

    def list_readers(self) -> list[str]:
        try:
            names = self.inner.list_readers()
        except Exception as exc:
            self.recorder.failed("readers", exc)
            raise
        self.recorder.op("readers", names=names)
        return names

    def session(self, reader: str) -> CardSession:
        return RecordingSession(self.inner.session(reader), self.recorder)


class ReplaySession(CardSession):
    """A card session answered by the recording; connect must name the recorded reader."""

    def __init__(self, reader: str, cursor: ReplayCursor) -> None:
        super().__init__(reader)
        self.cursor = cursor
        self._connected = False

    def connect(self) -> None:
        event = self.cursor.operation("connect")
        recorded = str(event.fields.get("reader", ""))
        if recorded and recorded != self.reader:
            raise ReplayMismatch(f"replay: the driver connects to {self.reader!r}, the recording to {recorded!r} (line {event.line})")
        self.atr = bytes.fromhex(str(event.fields.get("atr", "")))
        self._connected = True

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        if not self._connected:
            raise DeviceIOError("card session is closed")
        answer = self.cursor.transmit(apdu)
        if len(answer) < 2:
            raise DeviceIOError(f"replayed response to {apdu[:2].hex()} has no status word")
        return answer[:-2], int.from_bytes(answer[-2:], "big")

    def card_gone(self, settle_s: float = 0.6) -> bool:
        return False  # a lifted card is in the recording as the CardAbsent it caused

    def close(self) -> None:
        self._connected = False


class ReplayPcsc(Pcsc):
    def __init__(self, cursor: ReplayCursor) -> None:
        self.cursor = cursor

    def list_readers(self) -> list[str]:
        names = self.cursor.operation("readers").fields.get("names", [])
        return [str(n) for n in names] if isinstance(names, list) else []

    def session(self, reader: str) -> CardSession:
        return ReplaySession(reader, self.cursor)
