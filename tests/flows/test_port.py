"""FlowRuntime: the UI's port — non-blocking send, subscribed view-models, Cancel not queued behind a device wait."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from kiosk.flows import intents as I
from kiosk.assembly import assemble
from kiosk.flows.viewmodels import AttractVM, HomeVM, IdentifyVM, ViewModel

from tests.flows.conftest import config_for


def _wait(seen: list[ViewModel], lock: threading.Lock, test: Callable[[ViewModel], bool], timeout: float = 20.0) -> ViewModel:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with lock:
            found = [v for v in seen if test(v)]
        if found:
            return found[-1]
        time.sleep(0.02)
    raise AssertionError(f"no matching view-model; last: {seen[-1] if seen else None}")


def test_cancel_during_a_card_wait_ends_the_session_at_once(tmp_path: Path) -> None:
    runtime = assemble(config_for(tmp_path, drop=("doccam", "chipcard", "a4printer", "scanner", "speaker"))).runtime.start()
    seen: list[ViewModel] = []
    lock = threading.Lock()

    def listener(vm: ViewModel) -> None:
        with lock:
            seen.append(vm)

    try:
        runtime.subscribe(listener)
        _wait(seen, lock, lambda v: isinstance(v, AttractVM))
        runtime.terminal.idcard.emulator.remove()  # type: ignore[union-attr]
        runtime.send(I.Touch())
        _wait(seen, lock, lambda v: isinstance(v, HomeVM))
        runtime.send(I.Start("00011300100001"))
        runtime.send(I.Choose("method", "idcard_face"))
        _wait(seen, lock, lambda v: isinstance(v, IdentifyVM) and v.phase == "insert_card")
        session = runtime.controller.session  # type: ignore[union-attr]
        assert session is not None
        started = time.monotonic()
        with lock:
            seen.clear()
        runtime.send(I.Cancel())
        _wait(seen, lock, lambda v: isinstance(v, AttractVM), timeout=5)
        assert time.monotonic() - started < 3.0  # not queued behind the 120 s card wait
        assert session.wiped and not (runtime.services.sessions_root / session.id).exists()  # type: ignore[union-attr]
        runtime.send(I.Touch())  # the next citizen taps the attract screen at once
        _wait(seen, lock, lambda v: isinstance(v, HomeVM), timeout=10)
    finally:
        runtime.stop()
