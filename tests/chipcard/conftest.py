"""The suite's own pcscd (session-scoped, with vpcd's reader) and our virtual card on vpcd slot 1.

As root with ``unshare`` the pcscd is private (its own socket and vpcd ports, see
drivers/chipcard/pcscd.py). Otherwise it is the machine's one pcscd: if one we did not start is
running (a demo's ``sim:chipcard``) we wait a little for it to go, then use it, and the tests that
must kill or restart pcscd skip with that reason (they never kill a daemon they do not own). Our
card sits on slot 1 so it never collides with a ``sim:chipcard`` card on slot 0.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from typing import Callable

import pytest
from smartcard import scard

from drivers.chipcard.service import ChipCardService
from kiosk.terminal.events import Event, EventBus, EventStream
from sim.devices.chipcard.emulator import VirtualCard
from sim.devices.chipcard.pcscd import PcscDaemon, pcscd_running, private_mode_available, reader_name

SLOT = 1
READER = reader_name(SLOT)
FOREIGN_PCSCD_WAIT_S = 15.0

# A private pcscd (own socket, own vpcd ports) when root + unshare allow it: the suite kills and
# restarts pcscd, which must not hit another pcscd on the machine. libpcsclite reads this once per
# process, before the first PC/SC call, which is why it is set at import (collection) time.
PRIVATE_RUN_DIR = ""
if private_mode_available() and not os.environ.get("PCSCLITE_CSOCK_NAME"):
    PRIVATE_RUN_DIR = tempfile.mkdtemp(prefix="kiosk-pcsc-run-")
    os.environ["PCSCLITE_CSOCK_NAME"] = os.path.join(PRIVATE_RUN_DIR, "pcscd.comm")


@pytest.fixture(scope="session")
def pcscd() -> Iterator[PcscDaemon]:
    daemon = PcscDaemon()
    deadline = time.monotonic() + FOREIGN_PCSCD_WAIT_S
    while pcscd_running() and time.monotonic() < deadline:
        time.sleep(0.2)
    daemon.start()
    yield daemon
    daemon.cleanup()
    if PRIVATE_RUN_DIR and not pcscd_running():
        shutil.rmtree(PRIVATE_RUN_DIR, ignore_errors=True)


@pytest.fixture
def owned_pcscd(pcscd: PcscDaemon) -> PcscDaemon:
    if not pcscd.owned:
        pytest.skip("a pcscd not started by this suite is running; refusing to kill it")
    return pcscd


def wait_card_state(present: bool, timeout: float = 5.0, reader: str = READER) -> None:
    """Block until pcscd reports the card in ``reader`` present/absent (pcscd polls vpcd)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult == 0:
            try:
                hresult, states = scard.SCardGetStatusChange(ctx, 100, [(reader, scard.SCARD_STATE_UNAWARE)])
                if hresult == 0 and bool(states[0][1] & scard.SCARD_STATE_PRESENT) == present:
                    return
            finally:
                scard.SCardReleaseContext(ctx)
        time.sleep(0.05)
    raise AssertionError(f"card in {reader} not {'present' if present else 'absent'} after {timeout} s")


@pytest.fixture
def card(pcscd: PcscDaemon) -> Iterator[VirtualCard]:
    """The virtual card, not yet inserted; removed and closed afterwards."""
    virtual = VirtualCard(port=pcscd.vpcd_port + SLOT)
    yield virtual
    virtual.close()
    wait_card_state(False)


@pytest.fixture
def insert(card: VirtualCard) -> Callable[..., VirtualCard]:
    def put(person: str | None = "zhangsan", **kwargs: object) -> VirtualCard:
        card.insert(person, **kwargs)  # type: ignore[arg-type]
        wait_card_state(True)
        return card

    return put


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
async def reader(pcscd: PcscDaemon, bus: EventBus) -> AsyncIterator[ChipCardService]:
    service = ChipCardService("chipcard", bus, reader=READER, default_timeout=5.0)
    opened = await service.open()
    assert opened.ok, opened.description
    yield service
    await service.close()


async def next_matching(stream: EventStream, match: Callable[[Event], bool], timeout: float = 5.0) -> Event:
    """The next event on ``stream`` that ``match`` accepts, within ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        event = await stream.next(max(0.01, deadline - loop.time()))
        if match(event):
            return event
