"""Background work is owned: stop() waits for a pending session end, a failing task is logged, not lost."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path

import pytest

from kiosk.assembly import assemble
from kiosk.flows import intents as I
from kiosk.flows.background import BackgroundTasks
from kiosk.flows.viewmodels import AttractVM, HomeVM, IdentifyVM, ViewModel

from tests.flows.conftest import config_for


def test_a_failing_task_is_logged_with_its_name(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> BackgroundTasks:
        tasks = BackgroundTasks("t")

        async def boom() -> None:
            raise RuntimeError("speaker unplugged")

        tasks.spawn(boom(), "speak")
        await tasks.aclose()
        return tasks

    with caplog.at_level(logging.ERROR, logger="kiosk.flows.background"):
        tasks = asyncio.run(main())
    assert tasks.failures == 1 and tasks.pending == 0
    record = next(r for r in caplog.records if "t:speak" in r.getMessage())
    assert record.exc_info is not None and "speaker unplugged" in str(record.exc_info[1])


def test_aclose_waits_for_pending_work_and_cancels_what_overstays() -> None:
    async def main() -> tuple[list[str], bool]:
        tasks = BackgroundTasks("t")
        done: list[str] = []

        async def slow(name: str, delay: float) -> None:
            await asyncio.sleep(delay)
            done.append(name)

        tasks.spawn(slow("wipe", 0.3), "wipe")
        stuck = tasks.spawn(slow("stuck", 60), "stuck")
        started = time.monotonic()
        await tasks.aclose(timeout_s=1.0)
        assert time.monotonic() - started < 5
        return done, stuck.cancelled()

    done, cancelled = asyncio.run(main())
    assert done == ["wipe"] and cancelled


def _wait(seen: list[ViewModel], lock: threading.Lock, test: type, timeout: float = 20.0) -> ViewModel:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with lock:
            found = [v for v in seen if isinstance(v, test)]
        if found:
            return found[-1]
        time.sleep(0.02)
    raise AssertionError(f"no {test.__name__}; last: {seen[-1] if seen else None}")


def test_stop_waits_for_a_pending_session_wipe(tmp_path: Path) -> None:
    """退出 during a card wait ends the session in a background task; stop() right after it must not return
    before that end has wiped the session (files gone) — and it is the 退出, not the shutdown, that ended it."""
    runtime = assemble(config_for(tmp_path, drop=("doccam", "chipcard", "a4printer", "scanner", "speaker"))).runtime.start()
    seen: list[ViewModel] = []
    lock = threading.Lock()

    def listener(vm: ViewModel) -> None:
        with lock:
            seen.append(vm)

    stopped = False
    try:
        runtime.subscribe(listener)
        _wait(seen, lock, AttractVM)
        runtime.terminal.idcard.emulator.remove()  # type: ignore[union-attr]
        runtime.send(I.Touch())
        _wait(seen, lock, HomeVM)
        runtime.send(I.Start("00011300100001"))
        runtime.send(I.Choose("method", "idcard_face"))
        deadline = time.monotonic() + 20
        while not (isinstance(runtime.controller.view, IdentifyVM) and runtime.controller.view.phase == "insert_card"):  # type: ignore[union-attr]
            assert time.monotonic() < deadline
            time.sleep(0.02)
        controller = runtime.controller
        assert controller is not None and controller.session is not None
        session = controller.session
        session_dir = runtime.services.sessions_root / session.id  # type: ignore[union-attr]
        session.temp_file("idcard-photo.jpg").write_bytes(b"\xff\xd8 personal")
        real_end = controller.end
        ended: list[str] = []

        async def slow_end(reason: str, *, force: bool = False) -> None:  # a wipe that takes its time (a slow SD card)
            await asyncio.sleep(0.5)
            ended.append(reason)
            await real_end(reason, force=force)

        controller.end = slow_end  # type: ignore[method-assign]
        runtime.send(I.Cancel())
        deadline = time.monotonic() + 5
        while runtime.tasks.pending == 0:  # the 退出 is now a background task on the runtime
            assert time.monotonic() < deadline
            time.sleep(0.005)
        runtime.stop()
        stopped = True
        # the shutdown found the session already ended: it waited for the 退出 instead of racing it with a second end
        assert ended == ["cancelled"] and session.wiped and not session_dir.exists()
        assert runtime.tasks.pending == 0 and runtime.tasks.failures == 0
    finally:
        if not stopped:
            runtime.stop()
