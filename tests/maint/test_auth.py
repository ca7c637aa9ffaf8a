"""Entry by technician card (real chip-card driver + emulator's technician card) + PIN, or TOTP; lockout after 5."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from kiosk.maint import totp
from kiosk.maint.auth import MAINT, MaintenanceAuth
from kiosk.maint.session import MaintenanceSession, NotInMaintenance
from kiosk.settings import parse_config
from kiosk.store import AuditTrail, Store
from kiosk.terminal.facade import Terminal

TECH = "JX500112001"
PIN = "135790"
CONFIG = """
[terminal]
id = "CQ-500112-MAINT"
hall = "测试大厅"
district_code = "500112"
district_name = "渝北区"
[devices.chipcard]
url = "sim:chipcard?technician=tech01"
timeout_s = 5
"""


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "kiosk.db", [MAINT])


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_auth(store: Store, clock: Clock, secret: str = "") -> MaintenanceAuth:
    return MaintenanceAuth({TECH: totp.hash_pin(PIN, rounds=1000)}, secret, store=store, audit=AuditTrail(store), clock=clock)


@pytest.fixture
async def terminal() -> AsyncIterator[Terminal]:
    t = Terminal(parse_config(CONFIG))
    await t.start()
    yield t
    await t.stop()


async def test_technician_card_and_pin_enter_and_leave(terminal: Terminal, store: Store, clock: Clock) -> None:
    session = MaintenanceSession(terminal, make_auth(store, clock), audit=AuditTrail(store))
    with pytest.raises(NotInMaintenance):
        session.device_status()
    wrong = await session.enter_with_card("000000")
    assert not wrong.ok and wrong.reason == "wrong_pin" and wrong.failures_left == 4
    result = await session.enter_with_card(PIN)
    assert result.ok and result.technician == TECH  # the id came off the card through the real PC/SC driver
    assert session.mode.snapshot.mode == "maintenance"
    assert {row["device"] for row in session.device_status()} == {"chipcard"}
    session.leave()
    assert session.mode.snapshot.mode == "in_service" and not session.active
    records = AuditTrail(store).records()
    assert [r.action for r in records] == ["maint.enter_refused", "maint.enter", "maint.view_status", "maint.leave"]
    assert all(PIN not in str(r.detail) for r in records)


async def test_no_card_on_the_reader(terminal: Terminal, store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kiosk.maint.selftest.MEDIA_PATIENCE_S", 0.5)  # how long we wait for a card being placed
    terminal.chipcard.emulator.remove()  # type: ignore[union-attr]
    result = await MaintenanceSession(terminal, make_auth(store, clock)).enter_with_card(PIN)
    assert result.reason == "no_card"


def test_lockout_after_five_failures_survives_a_restart(store: Store, clock: Clock) -> None:
    auth = make_auth(store, clock)
    reasons = [auth.with_card(TECH, "999999").reason for _ in range(5)]
    assert reasons == ["wrong_pin"] * 4 + ["locked"]
    assert auth.with_card(TECH, PIN).reason == "locked"  # even the right PIN while locked
    again = make_auth(store, clock)  # power cycle: the lockout is in the store
    assert again.with_card(TECH, PIN).reason == "locked" and again.locked_until() == clock.now + 900 - 0
    clock.now += 901
    assert again.with_card(TECH, PIN).ok
    assert again.with_card("JX000", PIN).reason == "unknown_card"
    actions = [r.detail["reason"] for r in AuditTrail(store).records()]
    assert actions.count("locked") == 3 and actions[-2:] == ["ok", "unknown_card"]


def test_totp_entry_and_replay(store: Store, clock: Clock) -> None:
    secret = totp.new_secret()
    auth = make_auth(store, clock, secret)
    code = totp.totp(secret, clock.now)
    assert auth.with_totp(code).ok
    assert auth.with_totp(code).reason == "bad_code"  # a code works once
    assert make_auth(store, clock, "").with_totp(code).reason == "disabled"
    for _ in range(4):
        auth.with_totp("000000")
    # the replayed code was failure 1, four wrong codes make 5: locked, even for a fresh valid code
    assert auth.with_totp(totp.totp(secret, clock.now + 30)).reason == "locked"
