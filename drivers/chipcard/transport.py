"""pyscard at our boundary: reader listing and one card session, with every pyscard error translated.

This module imports pyscard at module level on purpose: the registry turns that ImportError into an
``UnavailableDevice`` ("driver unavailable: No module named 'smartcard'") instead of a crash. Each
session owns its connection (and so its PC/SC context) and releases it explicitly — pyscard's
``__del__`` would otherwise try again on a dead pcscd — and keeps it referenced meanwhile, since a
collected connection releases the context under a running transmit ("Context already released").
"""

from __future__ import annotations

import logging
import time
from typing import Any

from smartcard import scard
from smartcard.Exceptions import CardConnectionException, NoCardException, SmartcardException
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.System import readers as _pyscard_readers

from kiosk.errors import DeviceError, DeviceIOError, DeviceUnavailableError

log = logging.getLogger(__name__)


def _code(value: int) -> int:
    return value & 0xFFFFFFFF


#: pcscd is gone: not running, stopping, or the socket broke under a call (F_COMM_ERROR).
SERVICE_DOWN = frozenset(_code(c) for c in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_F_COMM_ERROR))
CARD_GONE = frozenset(_code(c) for c in (scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_UNPOWERED_CARD))
READER_GONE = frozenset(_code(c) for c in (scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE))


#: How long a failed exchange waits for pcscd to notice a lifted card (its presence poll is ~0.4 s).
CARD_SETTLE_S = 0.6


class PcscdDown(DeviceUnavailableError):
    """pcscd does not answer (0x8010001D / 0x8010001E): status OFFLINE, retry later."""


class ReaderMissing(DeviceUnavailableError):
    """The configured reader is not (or no longer) known to pcscd."""


class CardAbsent(DeviceError):
    """No card on the reader, or it was lifted mid-read: an expected outcome (no_media)."""


def hresult_of(exc: BaseException) -> int | None:
    value = getattr(exc, "hresult", -1)
    return None if value in (-1, None) else _code(int(value))


def translate(exc: BaseException, what: str) -> DeviceError:
    """A pyscard exception → our tree (the one mapping at the driver boundary)."""
    code = hresult_of(exc)
    if isinstance(exc, NoCardException) or code in CARD_GONE:
        return CardAbsent(f"{what}: no card on the reader")
    if code in SERVICE_DOWN:
        return PcscdDown(f"{what}: pcscd not running (0x{code:08X})")
    if code in READER_GONE:
        return ReaderMissing(f"{what}: reader not available (0x{code:08X})")
    suffix = f" (0x{code:08X})" if code is not None else ""
    return DeviceIOError(f"{what}: {exc}{suffix}")


def list_readers() -> list[str]:
    """Reader names known to pcscd; raises PcscdDown when it is not running."""
    try:
        return [str(r) for r in _pyscard_readers()]
    except (SmartcardException, BaseSCardException) as exc:
        raise translate(exc, "list readers") from None


def pick_reader(available: list[str], wanted: str) -> list[str]:
    """Readers to try, in order: the exact name, else names containing ``wanted``; all if none asked."""
    if not wanted:
        return list(available)
    if wanted in available:
        return [wanted]
    return [r for r in available if wanted.lower() in r.lower()]


def _inner(connection: Any) -> Any:
    """pyscard wraps the PCSC connection in a CardConnectionDecorator; the context lives inside."""
    return getattr(connection, "component", connection)


class CardSession:
    """One connection to the card in ``reader``; ``transmit`` returns ``(data, sw)``."""

    def __init__(self, reader: str) -> None:
        self.reader = reader
        self.atr = b""
        self._connection: Any = None

    def __enter__(self) -> CardSession:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        from smartcard.pcsc.PCSCReader import PCSCReader

        try:
            self._connection = PCSCReader(self.reader).createConnection()
            self._connection.connect()
            self.atr = bytes(self._connection.getATR())
        except (SmartcardException, BaseSCardException) as exc:
            self.close()
            raise translate(exc, f"connect to {self.reader}") from None

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        if self._connection is None:
            raise DeviceIOError("card session is closed")
        try:
            data, sw1, sw2 = self._connection.transmit(list(apdu))
        except (SmartcardException, BaseSCardException) as exc:
            error = translate(exc, f"transmit {apdu[:2].hex()}")
            if isinstance(error, DeviceIOError) and self.card_gone():
                error = CardAbsent(f"transmit {apdu[:2].hex()}: card lifted during the read")
            raise error from None
        return bytes(data), (sw1 << 8) | sw2

    def card_gone(self, settle_s: float = CARD_SETTLE_S) -> bool:
        """After a failed exchange: did the card leave? The reader driver may answer the broken
        exchange (vpcd: an empty response) before pcscd's presence poll notices, so wait a little."""
        context = getattr(_inner(self._connection), "hcontext", None)
        if context is None:
            return False
        deadline = time.monotonic() + settle_s
        while True:
            hresult, states = scard.SCardGetStatusChange(context, 0, [(self.reader, scard.SCARD_STATE_UNAWARE)])
            if hresult != 0:
                return _code(hresult) in SERVICE_DOWN | READER_GONE
            if states[0][1] & scard.SCARD_STATE_EMPTY:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.03)

    def close(self) -> None:
        """Disconnect and release the context; never raises (pcscd may already be gone)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.disconnect()
        except (SmartcardException, BaseSCardException, TypeError) as exc:
            log.debug("disconnect %s: %s", self.reader, exc)
        try:
            connection.release()
        except (SmartcardException, BaseSCardException, CardConnectionException) as exc:
            log.debug("release %s: %s", self.reader, exc)
            _inner(connection).hcontext = None  # the daemon that held it is gone; stop __del__ retrying


class Pcsc:
    """The system's PC/SC (pcscd through pyscard), as the service asks for it: readers and card sessions.

    Why a class: it is the seam where ``kiosk device record`` wraps the wire and a ``replay:`` URL
    substitutes a recording (drivers/replay), while the service and the read sequences run unchanged.
    """

    def list_readers(self) -> list[str]:
        return list_readers()

    def session(self, reader: str) -> CardSession:
        return CardSession(reader)
