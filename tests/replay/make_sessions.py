"""Regenerate the committed sessions (tests/replay/sessions/*.jsonl) from the wire-level emulators.

    .venv/bin/python tests/replay/make_sessions.py              every session
    .venv/bin/python tests/replay/make_sessions.py idcard-read  only the ones named

Each session is recorded the way a technician records one (``kiosk device record``'s ``record()``),
through the real driver against a ``sim:`` emulator with a fault set. The cards are the emulators'
fictional personas. Re-run after a deliberate protocol change, and review the diff of the sessions.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SESSIONS_DIR = HERE / "sessions"


def _private_pcscd() -> None:
    """As tests/chipcard: our own pcscd socket when root + unshare allow it, set before pyscard loads."""
    from sim.devices.chipcard.pcscd import private_mode_available

    if private_mode_available() and not os.environ.get("PCSCLITE_CSOCK_NAME"):
        os.environ["PCSCLITE_CSOCK_NAME"] = os.path.join(tempfile.mkdtemp(prefix="kiosk-replay-pcsc-"), "pcscd.comm")


# ----- emulator set-ups (prepare hooks) ----------------------------------------------------------
def _lifting_sam(service: Any) -> None:
    """The card leaves the field right after it was selected: the read answers SW3=41."""
    from drivers.idcard import protocol as P
    from sim.devices.idcard.emulator import SamEmulator

    class LiftedAfterSelect(SamEmulator):
        def _answer(self, command: tuple[int, int]) -> bytes:
            answer = super()._answer(command)
            if command == P.CMD_SELECT:
                self._card_id = None  # under the emulator's lock already (its _handle holds it)
            return answer

    old = service.emulator
    service.emulator = LiftedAfterSelect(old.cards)


def _unplugged_mid_read(service: Any) -> None:
    """The reader's USB cable is pulled while the card is being read: the port vanishes under the driver."""
    from drivers.idcard import protocol as P
    from sim.devices.idcard.emulator import SamEmulator

    class UnpluggedOnRead(SamEmulator):
        def _handle(self, body: bytes) -> None:
            if (body[0], body[1]) == P.CMD_READ_BASE:
                self.unplug()  # no answer: the pty closes (its lock is re-entrant)
                return
            super()._handle(body)

    service.emulator = UnpluggedOnRead(service.emulator.cards)


def _sam_fault(fault: str, only: set[int] | None = None) -> Callable[[Any], None]:
    def prepare(service: Any) -> None:
        service.emulator.set_fault(fault, only)

    return prepare


def _chipcard_lift_after(apdus: int) -> Callable[[Any], None]:
    def prepare(service: Any) -> None:
        service.emulator.lift_after = apdus

    return prepare


def _card_seen(service: Any) -> None:
    """Wait until pcscd reports the virtual card present, as a citizen's card would be before the read."""
    import time

    from smartcard import scard

    service.emulator.wait_connected(5.0)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult == 0:
            try:
                hresult, states = scard.SCardGetStatusChange(ctx, 100, [(service.reader, scard.SCARD_STATE_UNAWARE)])
                if hresult == 0 and states[0][1] & scard.SCARD_STATE_PRESENT:
                    return
            finally:
                scard.SCardReleaseContext(ctx)
        time.sleep(0.05)
    raise RuntimeError(f"the virtual card never showed in {service.reader}")


def _scan_later(*lines: bytes, delay_s: float = 0.4) -> Callable[[Any], None]:
    def prepare(service: Any) -> None:
        def send() -> None:
            for line in lines:
                service.emulator.send_raw(line)

        threading.Timer(delay_s, send).start()  # after read_code started: earlier codes are discarded

    return prepare


Hook = Callable[[Any], None] | None

#: name → (class, sim URL, action, prepare before open, hook before the action, timeout)
SESSIONS: dict[str, tuple[str, str, str, Hook, Hook, float]] = {
    "idcard-read": ("idcard", "sim:idcard?card=zhangsan", "read", None, None, 5.0),
    "idcard-no-card": ("idcard", "sim:idcard", "read", None, None, 5.0),
    "idcard-card-lifted": ("idcard", "sim:idcard?card=zhangsan", "read", _lifting_sam, None, 5.0),
    "idcard-bad-checksum": ("idcard", "sim:idcard?card=zhangsan", "read", _sam_fault("bad_checksum", {0x30}), None, 5.0),
    "idcard-garbage-before-frame": ("idcard", "sim:idcard?card=zhangsan", "read", _sam_fault("noise"), None, 5.0),
    "idcard-silent": ("idcard", "sim:idcard?card=zhangsan&read_timeout_s=1", "read", _sam_fault("silence", {0x30}), None, 5.0),
    "idcard-unplugged-mid-read": ("idcard", "sim:idcard?card=zhangsan", "read", _unplugged_mid_read, None, 5.0),
    "chipcard-read": ("chipcard", "sim:chipcard?person=zhangsan&slot=1", "read", None, _card_seen, 8.0),
    "chipcard-removed-mid-read": ("chipcard", "sim:chipcard?person=zhangsan&slot=1", "read", _chipcard_lift_after(4), _card_seen, 8.0),
    "chipcard-not-a-social-security-card": ("chipcard", "sim:chipcard?technician=tech01&slot=1", "read", None, _card_seen, 8.0),
    "printer-test-page": ("printer", "sim:printer", "test", None, None, 10.0),
    "printer-paper-out": ("printer", "sim:printer?status=out", "test", None, None, 10.0),
    "barcode-scan": ("barcode", "sim:barcode?via=serial", "read", _scan_later(b"YKM1.replay-session-token-0001\r\n"), None, 3.0),
    "barcode-garbled": ("barcode", "sim:barcode?via=serial", "read", _scan_later("YKM1.码\x13\r\n".encode()), None, 3.0),
}


async def make(name: str) -> int:
    from kiosk.cli.record_cmd import record
    from kiosk.terminal.registry import DeviceSpec, DeviceUrl, check_spec
    from kiosk.terminal.status import DeviceClass

    device_class, url, action, prepare, before_action, timeout = SESSIONS[name]
    cls = DeviceClass(device_class)
    spec = check_spec(DeviceSpec(cls.value, cls, DeviceUrl.parse(url), timeout_s=timeout))
    out = SESSIONS_DIR / f"{name}.jsonl"
    code = await record(spec, action, str(out), timeout=timeout, prepare=prepare, before_action=before_action)
    os.chmod(out, 0o644)  # committed fixtures of fictional personas; a real recording stays 0600
    return code


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in SESSIONS]
    if unknown:
        print(f"unknown session(s): {', '.join(unknown)} (known: {', '.join(SESSIONS)})", file=sys.stderr)
        return 2
    chosen = names or list(SESSIONS)
    if any(SESSIONS[n][0] == "chipcard" for n in chosen):
        _private_pcscd()
    SESSIONS_DIR.mkdir(exist_ok=True)
    for name in chosen:
        print(f"== {name}: exit {asyncio.run(make(name))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
