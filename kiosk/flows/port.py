"""FlowRuntime: the flow layer on its own asyncio loop thread, behind the UI's ``FlowPort``.

The Kivy app calls ``send(intent)`` from its thread and must never block; view-models come back
through ``subscribe`` listeners (the UI's bridge hops them onto the Kivy thread). Intents run one
at a time in order, except that Cancel, Help and the activity ping (Touch) act at once even while a
device command is being awaited — a citizen pressing 退出 is not queued behind a card read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable

from kiosk.flows import intents as I
from kiosk.flows.background import BackgroundTasks
from kiosk.flows.controller import Controller
from kiosk.flows.recovery import recover
from kiosk.flows.viewmodels import ViewModel
from kiosk.flows.wiring import FlowServices
from kiosk.terminal.facade import Terminal

log = logging.getLogger(__name__)
Listener = Callable[[ViewModel], None]


class FlowRuntime:
    def __init__(self, services: FlowServices, *, elder: bool = False) -> None:
        """``services`` come built (kiosk.assembly); their devices are opened on this runtime's loop."""
        self.config = services.config
        self.elder = elder
        self.loop = asyncio.new_event_loop()
        self.services: FlowServices | None = services
        self.controller: Controller | None = None
        self._listeners: list[Listener] = []
        self._queue: asyncio.Queue[I.Intent] | None = None
        self._busy = False
        self._tasks: list[asyncio.Task[None]] = []  # the long-running loops (outbox worker, intent consumer)
        self.tasks = BackgroundTasks("flow-runtime")  # one-off work nobody awaits on the spot (a session ended by 退出 mid-wait)
        self._thread = threading.Thread(target=self.loop.run_forever, name="flow-runtime", daemon=True)

    # ----- FlowPort -------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)
        if self.controller is not None and self.controller.view is not None:
            listener(self.controller.view)

    def send(self, intent: I.Intent) -> None:
        """Any thread, never blocks."""
        self.loop.call_soon_threadsafe(self._accept, intent)

    @property
    def terminal(self) -> Terminal | None:
        """For the demo's developer panel (emulator controls); None until started."""
        return self.services.terminal if self.services else None

    # ----- lifecycle ------------------------------------------------------------------------------
    def start(self, timeout_s: float = 60.0) -> FlowRuntime:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._open(), self.loop).result(timeout_s)
        return self

    def stop(self, timeout_s: float = 30.0) -> None:
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(timeout_s)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout_s)

    async def _open(self) -> None:
        assert self.services is not None
        await self.services.start_devices()
        self._tasks.append(self.loop.create_task(self.services.link.worker.run(), name="outbox-worker"))
        for r in await recover(self.services):
            log.warning("recovered %s at %s: %s", r.item_code, r.state, r.outcome)
        self.controller = Controller(self.services, self._fanout, elder=self.elder, tasks=self.tasks)
        self._queue = asyncio.Queue()
        self._tasks.append(self.loop.create_task(self._consume(), name="flow-intents"))
        self.controller.attract()

    async def _close(self) -> None:
        await self.tasks.aclose()  # a pending end/wipe finishes first: the citizen's files are gone before we return
        if self.controller is not None and self.controller.session is not None:
            await self.controller.end("shutdown")
        await self.tasks.aclose()  # whatever the shutdown end started (a last spoken line)
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.services is not None:
            await self.services.aclose()

    # ----- intents --------------------------------------------------------------------------------
    def _fanout(self, vm: ViewModel) -> None:
        for listener in list(self._listeners):
            try:
                listener(vm)
            except Exception:
                log.exception("view-model listener failed")

    def _accept(self, intent: I.Intent) -> None:
        controller, queue = self.controller, self._queue
        if controller is None or queue is None:
            return
        if self._busy and isinstance(intent, I.Touch):
            controller.idle.touch(controller.elder)
            if controller.session is None:  # attract after 退出 while the ended step still winds down: the
                queue.put_nowait(intent)    # tap starts the next session once it is done, it is not lost
        elif self._busy and isinstance(intent, I.Cancel):
            self.tasks.spawn(controller.end("cancelled"), "session-end")
        else:
            queue.put_nowait(intent)

    async def _consume(self) -> None:
        assert self._queue is not None and self.controller is not None
        while True:
            intent = await self._queue.get()
            self._busy = True
            try:
                await self.controller.send(intent)
            except Exception:
                log.exception("intent %s failed", type(intent).__name__)
            finally:
                self._busy = False
