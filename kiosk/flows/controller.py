"""Controller: one citizen session from the first touch to the wipe — home, items, services, idle.

The UI (or ``kiosk simulate``) calls ``send(intent)``; the controller publishes a frozen
view-model after each. It owns the ``Session`` and is the only place that ends it: normal end,
cancel, idle timeout and errors all go through ``end()``, which cancels device commands in flight,
closes the flow (never abandoning an accepted application) and calls ``Session.wipe``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.flows import intents as I
from kiosk.flows.background import BackgroundTasks
from kiosk.flows.citizen.services import CitizenServices
from kiosk.flows.idle import IdleTimer
from kiosk.flows.itemflow import ItemFlow
from kiosk.flows.maintenance import Maintenance, attract_notice, terminal_closed
from kiosk.flows.nearby import NearbyTerminals
from kiosk.flows.record import FlowRecord
from kiosk.flows.search import ItemIndex
from kiosk.flows.session import Session
from kiosk.flows.states import FlowState
from kiosk.flows.viewmodels import AttractVM, HomeVM, IdentifyVM, IdleWarningVM, MessageVM, Option, ViewModel
from kiosk.flows.wiring import FlowServices

log = logging.getLogger(__name__)
Publish = Callable[[ViewModel], None]

SERVICES = (Option("case_status", "办件查询"), Option("appointment", "预约取号"), Option("centres", "附近网点"),
            Option("faq", "常见问题"), Option("help", "帮办"), Option("complaint", "办不成事反映"))
HIGH_FREQUENCY = ("00011200400001", "00012700100001", "00011500200001", "00011300100001", "00010900200001", "YJS000001")


class Controller:
    def __init__(self, services: FlowServices, publish: Publish, *, elder: bool = False, tasks: BackgroundTasks | None = None) -> None:
        """``tasks``: the runtime's owner of background work (awaited on stop); a controller of its own otherwise."""
        self.services = services
        self.publish_cb = publish
        self.tasks = tasks or BackgroundTasks("controller")
        self.session: Session | None = None
        self.flow: ItemFlow | None = None
        self.citizen = CitizenServices(self)
        self.nearby = NearbyTerminals()  # out of service: terminals in service nearby, from the platform
        self.maintenance = Maintenance(self)
        self.view: ViewModel | None = None
        self.elder_default = elder
        self.ended_reason = ""
        self._last_said: tuple[str, str] = ("", "")
        cfg = services.config.session
        self.idle = IdleTimer(cfg.idle_timeout_s, cfg.idle_warning_s, cfg.elder_timeout_factor, self._idle_warning, self._idle_expired)

    # ----- publishing ---------------------------------------------------------------------------
    @property
    def index(self) -> ItemIndex:
        """The search index of the current catalog (rebuilt once after a remote config reload)."""
        return self.services.caches.item_index(self.services.catalog)

    @property
    def elder(self) -> bool:
        return self.session.elder_mode if self.session else self.elder_default

    def publish(self, vm: ViewModel) -> None:
        self.view = vm
        self.publish_cb(vm)
        said = (vm.kind, vm.speak if vm.kind != "idle" else "")  # the countdown is spoken once, not every second
        if vm.elder_mode and vm.speak and said != self._last_said and self.services.terminal.speaker is not None:
            self.tasks.spawn(self._speak(vm.speak), "speak")  # live preview frames repeat it: said once
        self._last_said = said

    async def _speak(self, text: str) -> None:
        speaker = self.services.terminal.speaker
        if speaker is not None:
            result = await speaker.speak(text)
            if not result.ok:
                log.info("speaker: %s", result.description)

    def attract(self) -> None:
        cfg = self.services.config.terminal
        closed, hall_message = attract_notice(self.services)  # no identification method, remote out-of-service/maintenance, hall message
        if closed and self.nearby.claim():
            self.tasks.spawn(self._fetch_nearby(), "nearby-terminals")
        self.publish(AttractVM(elder_mode=False, speak="", title=cfg.hall, hall_name=cfg.hall, high_frequency=self._frequent(),
                               hall_message=hall_message, out_of_service=bool(closed), out_of_service_reason=closed,
                               nearby=self.nearby.rows if closed else ()))

    async def _fetch_nearby(self) -> None:
        """Out of service: where the citizen can go instead; the attract screen is redrawn when the list arrives."""
        if await self.nearby.refresh(self.services.link.client) and self.session is None and isinstance(self.view, AttractVM):
            self.attract()

    def _frequent(self) -> tuple:
        entries = {e.code: e for e in self.index.entries()}
        return tuple(entries[c] for c in HIGH_FREQUENCY if c in entries)

    def home(self, query: str = "", category: str | None = None) -> None:
        results = self.index.search(query, category) if query or category else ()
        speak = "请选择要办理的事项，也可以输入拼音首字母搜索" if not query else f"找到{len(results)}个事项"
        self.publish(HomeVM(elder_mode=self.elder, speak=speak, title="渝快办", can_cancel=True, categories=self.index.categories(),
                            high_frequency=self._frequent(), services=SERVICES, query=query, category=category, results=results))

    # ----- session lifecycle --------------------------------------------------------------------
    def begin_session(self) -> Session:
        if self.session is None:
            self.session = Session(self.services.sessions_root, self.services.audit, self.services.names, elder_mode=self.elder_default)
            self.services.audit.append("terminal", "session.started", session=self.session.id)
            self.ended_reason = ""
            self.idle.start()
        return self.session

    async def end(self, reason: str, *, force: bool = False) -> None:
        """End the session: cancel devices, close the flow, wipe everything personal, show attract.

        While the application is being written to the outbox the end waits (unless ``force``: an
        error in the submit step; its checkpoint stays for crash recovery at the next start).
        """
        if self.flow is not None and self.flow.state is FlowState.SUBMITTING and not force:
            log.warning("session end (%s) deferred: the application is being written to the outbox", reason)
            self.idle.start()  # re-armed: the submit step takes well under a second
            return
        self.idle.stop()
        cancelled = self.services.terminal.cancel_all(f"session ended: {reason}")
        if self.session is None and self.maintenance.active:  # 退出 while a self-test runs: leave maintenance
            await self.maintenance.leave(reason)
            return
        if self.session is not None:
            self.services.audit.append("terminal", "session.ended", session=self.session.id, reason=reason, cancelled_commands=cancelled,
                                       flow=self.flow.plan.code if self.flow else "", state=self.flow.state.value if self.flow else "")
        if self.flow is not None:
            target = FlowState.TIMED_OUT if reason == "timeout" else FlowState.CANCELLED
            self.flow.abandon(target, reason)
            self.flow.record.forget()
            self.flow = None
        if self.session is not None:
            self.session.wipe(reason)
            self.session = None
            self.services.scrub_stores()  # the wiped checkpoint and any delivered application: not in the WAL either
        self.citizen.reset()
        self.ended_reason = reason
        self.attract()

    # ----- idle ---------------------------------------------------------------------------------
    def _idle_warning(self, seconds_left: int) -> None:
        self.publish(IdleWarningVM(elder_mode=self.elder, speak=f"还有{seconds_left}秒将退出，点击屏幕继续办理", title="即将退出",
                                   seconds_left=seconds_left))

    async def _idle_expired(self) -> None:
        log.info("session idle: ending")
        await self.end("timeout")

    # ----- intents ------------------------------------------------------------------------------
    async def send(self, intent: I.Intent) -> None:
        """Handle one intent; every intent counts as activity."""
        if self.maintenance.claims(intent):
            await self.maintenance.handle(intent)  # a technician at the terminal: citizen intents wait
            return
        if self.session is None and isinstance(intent, I.Cancel):  # 退出 with nothing to end, e.g. on a login pad
            self.attract()  # opened by accident (the UI opens it locally): back to the idle screen
            return
        if self.session is None and not isinstance(intent, (I.Touch, I.Start, I.OpenService, I.Search, I.ToggleElder, I.Help)):
            return
        if self.session is None and terminal_closed(self.services) and not isinstance(intent, I.Help):
            return  # out of service (remotely, or no identification method works): no new session, but 帮办 still comes
        warned = self.idle.warning_shown
        self.begin_session()
        self.idle.touch(self.session.elder_mode if self.session else False)
        if isinstance(intent, I.Touch):
            if warned and self.view is not None and self.last_screen is not None:
                self.publish(self.last_screen)
            elif self.view is None or isinstance(self.view, AttractVM):
                self.home()
            return
        if isinstance(intent, I.ToggleElder):
            assert self.session is not None
            self.session.elder_mode = not self.session.elder_mode
            self.idle.touch(self.session.elder_mode)
            self._republish()
            return
        if isinstance(intent, I.Search):
            self.home(intent.query, intent.category)
            return
        if isinstance(intent, I.Start):
            await self._start(intent)
            return
        if (isinstance(intent, (I.OpenService, I.Help, I.SubmitText, I.Handover)) or self.citizen.active) and await self.citizen.handle(intent):
            return
        if self.flow is not None:
            await self._flow_intent(intent)
            return
        if isinstance(intent, (I.Cancel, I.Finish)) or (isinstance(intent, I.Choose) and intent.value in ("home", "cancel")):
            await self.end("cancelled" if isinstance(intent, I.Cancel) else "finished")

    @property
    def last_screen(self) -> ViewModel | None:
        if self.flow is not None and self.flow.view is not None:
            return self.flow.view
        return self.citizen.view

    def _republish(self) -> None:
        vm = self.last_screen or self.view
        if vm is not None:
            from dataclasses import replace

            self.publish(replace(vm, elder_mode=self.elder))

    async def _start(self, intent: I.Start) -> None:
        if self.flow is not None and not self.flow.finished and not self._switch_to_agent(intent):
            return
        if intent.code not in self.services.catalog.items and intent.code not in self.services.catalog.life_events:
            self.publish(MessageVM(elder_mode=self.elder, speak="没有找到该事项", text="没有找到该事项，请重新搜索", level="warning"))
            return
        assert self.session is not None
        self.flow = ItemFlow(self.services, self.session, self._flow_publish, FlowRecord(intent.code, agent=intent.agent), tasks=self.tasks)
        await self.flow.begin()

    def _switch_to_agent(self, intent: I.Start) -> bool:
        """代办 tapped on the identify screen before anyone was identified: the same item starts over as 代办
        (the session, and so elder mode, is kept). Anything later in the flow keeps the running flow."""
        flow = self.flow
        assert flow is not None
        view = flow.view
        if not (intent.agent and not flow.record.agent and intent.code == flow.record.code and flow.state is FlowState.IDENTIFY
                and "agent" in flow.plan.identity_methods and flow.record.identity is None
                and isinstance(view, IdentifyVM) and view.phase in ("choose", "failed")):
            return False
        flow.abandon(FlowState.CANCELLED, "switched to 代办")
        flow.record.forget()
        return True

    def _flow_publish(self, vm: ViewModel) -> None:
        self.publish(vm)

    async def _flow_intent(self, intent: I.Intent) -> None:
        assert self.flow is not None
        if isinstance(intent, I.Cancel) or (isinstance(intent, I.Choose) and intent.what == "action" and intent.value == "cancel"):
            await self.end("cancelled")
            return
        if isinstance(intent, I.Choose) and intent.what == "action" and intent.value == "centres":
            await self.citizen.handle(I.OpenService("centres"))
            return
        try:
            await self.flow.handle(intent)
        except Exception:
            log.exception("flow %s failed in %s", self.flow.plan.code, self.flow.state.value)
            await self.end("error", force=True)
            self.publish(
                MessageVM(
                    elder_mode=self.elder,
                    speak="系统出现问题，已为您退出。请重新办理或呼叫帮办。",
                    text="系统出现问题，已为您退出。您的信息已清除，请重新办理或呼叫帮办。",
                    level="error",
                )
            )
            return
        if self.flow is not None and self.flow.finished:
            reason = self.flow.state.value
            await self.end("finished" if reason == "done" else reason)
