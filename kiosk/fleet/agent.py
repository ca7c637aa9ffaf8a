"""FleetAgent: the terminal's side of remote management, one asyncio task.

Each round: build the heartbeat (status, versions, outbox, disk, uptime, config acknowledgement,
command results) → send it → run the commands in the reply → fetch/stage a newer configuration
→ wait (steady jittered period; full-jitter exponential backoff while the platform is away).
The app wires it (see ``kiosk.fleet.wiring``) and calls ``apply_staged_if_idle`` at session boundaries.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.errors import PlatformAuthError, PlatformError, PlatformRejected
from kiosk.fleet.backoff import Backoff
from kiosk.fleet.commands import CommandExecutor, CommandLog
from kiosk.fleet.configs import ConfigBundles
from kiosk.fleet.handlers import FleetHooks, HandlerContext, build_handlers, restore_settings
from kiosk.fleet.mode import DISK_CLOSED, TerminalMode
from kiosk.fleet.report import build_report, disk, with_audit_head
from kiosk.fleet.updater import ConfigUpdater

log = logging.getLogger(__name__)


class FleetAgent:
    def __init__(self, client: Any, configs: ConfigBundles, *, mode: TerminalMode | None = None, terminal: Any = None,
                 outbox: Any = None, counters: Any = None, commands: CommandLog | None = None, hooks: FleetHooks | None = None,
                 audit: Any = None, software_version: str = "0.1.0", data_dir: Path | None = None, log_dir: Path | None = None,
                 policy: Backoff | None = None, rng: random.Random | None = None, bundle_source: Any = None,
                 alerts: list[Callable[[], list[dict[str, Any]]]] | None = None, disk_reserve_mb: int = 64) -> None:
        self.client = client
        self.configs = configs
        self.mode = mode or TerminalMode(getattr(terminal, "bus", None))
        self.terminal = terminal
        self.outbox = outbox
        self.counters = counters
        self.software_version = software_version
        self.data_dir = data_dir
        self.policy = policy or Backoff()
        self.rng = rng or random.Random()
        self.started_at = time.time()
        self.updater = ConfigUpdater(configs, bundle_source or client)  # bundles from the platform or a static server
        self.commands = commands or CommandLog()
        self.ctx = HandlerContext(self.mode, self.commands, client, self.updater, hooks or FleetHooks(), log_dir,
                                  {"terminal_id": getattr(client, "terminal_id", ""), "software_version": software_version})
        restore_settings(self.ctx)
        self.executor = CommandExecutor(build_handlers(self.ctx), self.commands, audit)
        # What one more session may write (ID scans ~2 MB a page, photos, receipts, its outbox rows), with margin.
        self.disk_reserve_mb = disk_reserve_mb
        self.alert_sources = list(alerts or [])  # store quarantine, config state … (the outbox's own alerts are added)
        self.refused: dict[str, str] = {}  # unparsable commands to acknowledge as refused in the next heartbeat
        self.selftest: dict[str, Any] | None = None  # set by maintenance after a self-test; sent once
        self.last_ok: float | None = None
        self.beats = 0

    # ----- one round -----------------------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        statuses = self.terminal.statuses() if self.terminal is not None else {}
        counters = self.counters.snapshot() if self.counters is not None else None
        outbox = self.outbox.stats().to_dict() if self.outbox is not None else None
        snapshot = self.mode.snapshot
        self.commands.expire()  # results that can never be acknowledged do not ride on every heartbeat forever
        mode = snapshot.mode
        can_identify = self.ctx.hooks.can_identify
        if mode == "in_service" and can_identify is not None and not can_identify():
            mode = "out_of_service"
        return build_report(software_version=self.software_version, config_ack=self.configs.state.ack(), mode=mode,
                            statuses=statuses, counters=counters, outbox=outbox, data_dir=self.data_dir, started_at=self.started_at,
                            command_results=self.commands.unreported(), hall_message=snapshot.hall_message, selftest=self.selftest,
                            alerts=self.alerts(), refused_commands=[{"command_id": k, "reason": v} for k, v in self.refused.items()])

    def alerts(self) -> list[dict[str, Any]]:
        """What needs a person: the outbox's dead letters or key, and every other source's (a failing source is skipped)."""
        sources = [*self.alert_sources, *([self.outbox.alerts] if hasattr(self.outbox, "alerts") else [])]
        out: list[dict[str, Any]] = []
        if self.mode.snapshot.reason == DISK_CLOSED:
            out.append({"code": "disk_reserve", "severity": "critical", "message": f"free space below {self.disk_reserve_mb} MB: closed to citizens"})
        for source in sources:
            try:
                out.extend(source())
            except Exception:  # an alert source must never stop the heartbeat
                log.exception("alert source failed")
        return out

    async def _send(self, body: dict[str, Any]) -> Any:
        """Send; a definite refusal of a body carrying acknowledgements is retried once without them. If that
        passes, those acknowledgements can never be taken: they expire instead of wedging every later heartbeat."""
        try:
            return await self.client.heartbeat(body)
        except PlatformAuthError:
            raise
        except PlatformRejected as exc:
            carried = {k: body[k] for k in ("command_results", "acked_commands", "refused_commands") if k in body}
            if not carried:
                raise
            bare = {k: v for k, v in body.items() if k not in carried}
            reply = await self.client.heartbeat(bare)
            dropped = [r["command_id"] for r in carried.get("command_results", [])]
            self.commands.expire(command_ids=dropped)
            self.refused.clear()
            log.error("heartbeat refused with its acknowledgements (%s); dropped %d result(s) the platform does not take", exc.code,
                      len(dropped) + len(carried.get("refused_commands", [])))
            body.clear()
            body.update(bare)
            return reply

    async def beat(self) -> bool:
        """One heartbeat round; False when the platform could not be reached."""
        if self.outbox is not None and hasattr(self.outbox, "recheck"):
            self.outbox.recheck()  # a restored key opens the terminal again, a lost one keeps it closed
            self.mode.gate_on_outbox(self.outbox)
        if self.data_dir is not None:
            usage = disk(self.data_dir)
            if usage["total_mb"] and self.mode.gate_on_disk(usage["free_mb"], self.disk_reserve_mb):
                log.warning("data dir %s: %d MB free (reserve %d MB): terminal %s", self.data_dir, usage["free_mb"], self.disk_reserve_mb,
                            self.mode.snapshot.mode)
        audit = self.executor.audit
        body = with_audit_head(self.report(), audit.heartbeat_head() if hasattr(audit, "heartbeat_head") else None)
        try:
            reply = await self._send(body)
        except PlatformError as exc:
            log.info("heartbeat failed: %s", exc)
            return False
        self.beats += 1
        self.last_ok = time.time()
        ack = getattr(reply, "audit_head_ack", None)
        if ack is not None and hasattr(audit, "acknowledged"):
            audit.acknowledged(ack.seq, ack.mac)  # the platform holds the trail up to here: the second anchor
        self.commands.mark_reported(body.get("acked_commands", []))
        for sent in body.get("refused_commands", []):
            self.refused.pop(sent["command_id"], None)
        for refused in getattr(reply, "refused", []):
            if refused.command_id not in self.refused:
                log.error("remote command %r refused: %s", refused.command_id[:80], refused.reason)
                if self.executor.audit is not None:
                    self.executor.audit.append("platform", "command.refused", command_id=refused.command_id[:200], reason=refused.reason)
            self.refused[refused.command_id[:200]] = refused.reason
        if "selftest" in body:
            self.selftest = None
        if self.ctx.restart_requested and body.get("acked_commands") and self.ctx.hooks.restart is not None:
            self.ctx.restart_requested = False
            self.ctx.hooks.restart()  # acknowledged: now let the supervisor restart us
            return True
        if reply.commands:
            await self.executor.run(list(reply.commands))
        await self.updater.check(reply.config_version)
        self.apply_if_idle()
        return True

    def apply_if_idle(self) -> str:
        """A staged bundle on an idle terminal is applied within the heartbeat that staged it (no session end to wait
        for). Idle = the app's ``session_active`` hook says nobody is served; without the hook, wait for a boundary."""
        idle = self.ctx.hooks.session_active
        if self.configs.state.staged is None or idle is None or idle():
            return "none" if self.configs.state.staged is None else "deferred"
        outcome = self.configs.apply_staged_if_idle(session_active=False)
        if outcome == "applied" and self.ctx.hooks.reload_config is not None:
            log.info("item configuration applied while idle: %s", self.ctx.hooks.reload_config())
        return outcome

    async def run(self, stop: asyncio.Event, sleep: Callable[[float], Any] | None = None) -> None:
        """Heartbeat until ``stop`` is set; the first beat comes after a random share of the period."""
        wait = sleep or (lambda s: asyncio.wait_for(stop.wait(), s))
        delay = self.rng.uniform(0, self.policy.period_s)
        while not stop.is_set():
            try:
                await wait(delay)
            except TimeoutError:
                pass
            if stop.is_set():
                return
            ok = await self.beat()
            delay = self.policy.next_delay(ok, self.rng)
            if not ok and self.policy.failures in (1, 5, 20):
                log.warning("platform unreachable (%d failed heartbeats); next try in %.0f s", self.policy.failures, delay)

    # ----- hooks for the app --------------------------------------------------------------------
    def apply_staged_if_idle(self, session_active: bool) -> str:
        """Call at every session boundary (and when idle on the attract screen)."""
        return self.configs.apply_staged_if_idle(session_active)

    def restart_due(self, session_active: bool, now: Any = None) -> bool:
        """True inside the nightly window when no citizen is in a session and we ran for over an hour."""
        from datetime import datetime

        moment = now or datetime.now()
        return (not session_active and self.mode.snapshot.restart_window.contains(moment)
                and time.time() - self.started_at > 3600)
