"""Idle timeout: a countdown warning, then the device command in flight is cancelled and the session wiped."""

from __future__ import annotations

import asyncio
import json
import time

from kiosk.flows import intents as I
from kiosk.flows.controller import Controller
from kiosk.flows.idle import IdleTimer
from kiosk.flows.states import FlowState
from sim.robot import Robot, load_personas
from kiosk.flows.viewmodels import AttractVM, IdentifyVM, IdleWarningVM, MaterialsVM, ViewModel

from tests.flows.conftest import Harness


def _short(controller: Controller, timeout_s: float = 0.4, warning_s: float = 0.4) -> None:
    controller.idle.stop()
    controller.idle = IdleTimer(timeout_s, warning_s, 2.0, controller._idle_warning, controller._idle_expired)


def test_idle_timeout_cancels_the_card_read_and_wipes_the_session(harness: Harness) -> None:
    services = harness.sim.services
    seen: list[ViewModel] = []

    async def scenario() -> tuple[str, float, object, object]:
        controller = Controller(services, seen.append)
        _short(controller)
        services.terminal.idcard.emulator.remove()  # nobody puts a card down
        await controller.send(I.Touch())
        await controller.send(I.Start("00011300100001"))
        assert controller.session is not None and controller.flow is not None
        session, flow = controller.session, controller.flow
        session.temp_file("face-probe.jpg").write_bytes(b"\xff\xd8personal\xff\xd9")
        started = time.monotonic()
        await controller.send(I.Choose("method", "idcard_face"))  # waits for a card until the idle timer ends the session
        return session.id, time.monotonic() - started, flow, controller

    session_id, elapsed, flow, controller = harness.call(scenario)
    assert elapsed < 4.0  # 0.4 s idle + 0.4 s warning; the card wait alone would last 120 s
    assert flow.state is FlowState.TIMED_OUT  # type: ignore[attr-defined]
    warnings = [v for v in seen if isinstance(v, IdleWarningVM)]
    assert warnings and warnings[0].seconds_left >= 1
    assert any(isinstance(v, IdentifyVM) and v.phase == "insert_card" for v in seen)
    assert isinstance(seen[-1], AttractVM) and controller.session is None  # type: ignore[attr-defined]
    assert not (services.sessions_root / session_id).exists()
    rows = services.store.db().execute("SELECT detail FROM audit WHERE action = 'session.wiped'").fetchall()
    details = [json.loads(r[0]) for r in rows]
    assert any(d["session"] == session_id and d["reason"] == "timeout" and d["files"] == 1 for d in details)
    assert services.store.db().execute("SELECT COUNT(*) FROM checkpoints WHERE session_id = ?", [session_id]).fetchone()[0] == 0
    # the reader is usable again right away (the cancelled read left it in a clean state)
    services.terminal.idcard.emulator.insert("zhangsan")
    assert harness.call(lambda: services.terminal.idcard.read_card(5)).ok


def test_idle_cancels_a_scan_in_flight(harness: Harness) -> None:
    """The citizen walks away while a slow scanner is mid-page: the scan command itself is cancelled."""
    services = harness.sim.services
    emulator = services.terminal.scanner.emulator
    seen: list[ViewModel] = []

    async def scenario() -> tuple[float, str]:
        controller = Controller(services, seen.append)
        robot = Robot(controller, load_personas()["zhangsan"], lambda line: None)
        await controller.send(I.Touch())
        await controller.send(I.Start("00011300100001"))
        while not isinstance(controller.view, MaterialsVM):
            intent = robot.decide(controller.view)
            if robot.prepare is not None:
                await robot.prepare
                robot.prepare = None
            await controller.send(intent)
        session_id = controller.session.id  # type: ignore[union-attr]
        _short(controller, 0.5, 0.3)
        controller.idle.start()
        material = next(m.id for m in controller.view.materials if any(s.id == "scanner" for s in m.sources))
        emulator.set_slow(True)
        started = time.monotonic()
        try:
            await controller.send(I.Capture(material, "scanner"))
        finally:
            emulator.set_slow(False)
        return time.monotonic() - started, session_id

    elapsed, session_id = harness.call(scenario)
    assert elapsed < 10.0  # a slow 150 dpi page takes minutes; the idle timer ended it after 0.8 s
    ended = [json.loads(r[0]) for r in services.store.db().execute("SELECT detail FROM audit WHERE action = 'session.ended'").fetchall()]
    mine = [d for d in ended if d["session"] == session_id]
    assert mine and mine[0]["reason"] == "timeout" and mine[0]["cancelled_commands"] >= 1 and mine[0]["state"] == "materials"
    assert not (services.sessions_root / session_id).exists()
    assert isinstance(seen[-1], AttractVM)


def test_elder_mode_doubles_the_timeouts() -> None:
    fired: list[float] = []

    async def scenario() -> float:
        done = asyncio.Event()

        async def expired() -> None:
            done.set()

        timer = IdleTimer(0.2, 0.2, 2.0, lambda n: fired.append(time.monotonic()), expired)
        start = time.monotonic()
        timer.start()
        timer.touch(elder=True)
        await asyncio.wait_for(done.wait(), 5)
        return time.monotonic() - start

    took = asyncio.run(scenario())
    assert took >= 0.8  # (0.2 + 0.2) × 2
    assert fired  # the countdown warning came first
