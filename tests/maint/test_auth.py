"""Entry by technician card (real chip-card driver + emulator's technician card) + PIN, or TOTP; lockout after 5."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import AsyncIterator

import pytest

from kiosk.maint import totp
from kiosk.maint.auth import MAINT, MaintenanceAuth
from kiosk.maint.cardread import read_technician_card
from kiosk.maint.session import MaintenanceSession, NotInMaintenance
from kiosk.settings import parse_config
from kiosk.store import AuditTrail, Store
from kiosk.terminal.completion import Completion, CompletionCode
from kiosk.terminal.facade import Terminal

TECH = "JX500112001"
PIN = "135790"
CONFIG = """
[terminal]
id = "CQ-500112-MAINT"
hall = "测试大厅"
district_code = "500112"
district_name = "渝北区"
[platform]
url = "embedded:"
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


async def test_card_swapped_in_just_before_the_read(terminal: Terminal, store: Store, clock: Clock) -> None:
    """A citizen's 社保卡 resting on the reader, swapped for the technician card the instant before 登录: pcscd still
    holds the old card and the first exchange fails (0x80100016 Transaction failed, 10 of 10 raw reads) — the
    read settles and retries. (A 社保卡 that had just been read did not race in our runs.)"""
    emulator = terminal.chipcard.emulator  # type: ignore[union-attr]
    for _ in range(3):
        emulator.insert("zhangsan")
        await asyncio.sleep(1.0)  # pcscd has seen the 社保卡 (its presence poll is ~0.4 s)
        emulator.insert(technician="tech01")
        result = await MaintenanceSession(terminal, make_auth(store, clock)).enter_with_card(PIN)
        assert result.ok and result.technician == TECH, result


class ScriptedReader:
    """Stands in for the reader in the retry policy's own test: answers from a script, no PC/SC."""

    def __init__(self, *codes: CompletionCode) -> None:
        self.codes = list(codes)
        self.calls = 0

    async def read_technician_id(self, timeout: float | None = None) -> Completion[str]:
        self.calls += 1
        code = self.codes.pop(0) if self.codes else CompletionCode.SUCCESS
        return Completion.success(TECH) if code is CompletionCode.SUCCESS else Completion.failure(code, code.value)


async def test_read_retry_policy() -> None:
    hw, none, user = CompletionCode.HARDWARE_ERROR, CompletionCode.NO_MEDIA, CompletionCode.USER_ERROR
    settled = ScriptedReader(none, hw, hw)  # not seen yet, then two broken exchanges while the swap settles
    assert (await read_technician_card(settled, settle_s=0.01)).data == TECH and settled.calls == 4
    broken = ScriptedReader(hw, hw, hw, hw)  # a reader that keeps failing: the third failure is the answer
    assert (await read_technician_card(broken, settle_s=0.01)).code is hw and broken.calls == 3
    wrong = ScriptedReader(user)  # a card that answers but is not ours: final at once
    assert (await read_technician_card(wrong, settle_s=0.01)).code is user and wrong.calls == 1
    empty = ScriptedReader(*[none] * 1000)  # nobody puts a card in: no_media once the patience is spent
    assert (await read_technician_card(empty, patience_s=0.5)).code is none and 1 < empty.calls < 10


async def test_a_card_that_is_not_a_maintenance_card(terminal: Terminal, store: Store, clock: Clock) -> None:
    terminal.chipcard.emulator.insert("zhangsan")  # type: ignore[union-attr]
    auth = make_auth(store, clock)
    results = [await MaintenanceSession(terminal, auth).enter_with_card(PIN) for _ in range(6)]
    assert {r.reason for r in results} == {"wrong_card"} and "不是维护卡" in results[0].message
    assert auth.locked_until() == 0.0  # no PIN was checked: not counted towards the lockout
