"""The terminal's remote-command handlers, built over hooks the app and the UI register.

Hooks (all optional; a missing hook gives a clear failed result, never an exception):
``screenshot() -> bytes | None`` (PNG; the UI registers it, headless there is none → "no display"),
``restart()`` (the app exits so systemd restarts it), ``reload_config()`` (re-read the terminal
config file). Restart is deferred: the handler only requests it, and the agent calls the hook after
the heartbeat that acknowledges the command has been answered.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.errors import ConfigError, PlatformError
from kiosk.fleet.commands import CommandLog, CommandResult, Handler
from kiosk.fleet.logs import build_log_bundle, log_files
from kiosk.fleet.mode import RestartWindow, TerminalMode


@dataclass
class FleetHooks:
    screenshot: Callable[[], bytes | None] | None = None
    restart: Callable[[], None] | None = None
    reload_config: Callable[[], str] | None = None
    session_active: Callable[[], bool] | None = None  # the app's "is a citizen or technician being served?" (idle bundle apply)
    # "can a citizen be identified now?" (kiosk.flows.availability): when no method works the heartbeat says
    # out_of_service, so the platform's nearby-terminals list never sends citizens to this one
    can_identify: Callable[[], bool] | None = None


@dataclass
class HandlerContext:
    mode: TerminalMode
    commands: CommandLog
    client: Any = None  # PlatformClient
    updater: Any = None  # ConfigUpdater
    hooks: FleetHooks = field(default_factory=FleetHooks)
    log_dir: Path | None = None
    info: dict[str, Any] = field(default_factory=dict)  # terminal id, versions … for bundles
    restart_requested: bool = False


async def _upload(ctx: HandlerContext, data: bytes, what: str) -> CommandResult:
    if ctx.client is None:
        return CommandResult.failed(f"{what}: no platform client")
    digest = hashlib.sha256(data).hexdigest()
    try:
        await ctx.client.transport.request("PUT", f"/v1/terminals/logs/{digest}", content=data, content_type="application/octet-stream")
    except PlatformError as exc:
        return CommandResult.failed(f"{what}: upload failed: {exc}")
    return CommandResult.done(f"{what} uploaded: sha256={digest} size={len(data)}")


def build_handlers(ctx: HandlerContext) -> dict[str, Handler]:
    async def reload_config(args: dict[str, Any]) -> CommandResult:
        parts = []
        if ctx.hooks.reload_config is not None:
            parts.append(ctx.hooks.reload_config())
        if ctx.updater is not None:
            parts.append(f"items: {await ctx.updater.check()}")
        return CommandResult.done("; ".join(parts)) if parts else CommandResult.failed("no config source attached")

    async def hall_message(args: dict[str, Any]) -> CommandResult:
        text = str(args.get("text", ""))
        ctx.mode.set_hall_message(text)
        return CommandResult.done(f"hall message set ({len(text.strip()[:200])} chars)" if text.strip() else "hall message cleared")

    def set_mode(mode: str) -> Handler:
        async def handler(args: dict[str, Any]) -> CommandResult:
            ctx.mode.set_mode(mode, str(args.get("reason", "remote command"))[:100])
            return CommandResult.done(f"terminal now {mode}")

        return handler

    async def upload_logs(args: dict[str, Any]) -> CommandResult:
        files = log_files(ctx.log_dir) if ctx.log_dir else []
        bundle = build_log_bundle(files, {**ctx.info, "reason": str(args.get("reason", ""))[:100]})
        return await _upload(ctx, bundle, f"log bundle ({len(files)} file(s), masked)")

    async def screenshot(args: dict[str, Any]) -> CommandResult:
        png = ctx.hooks.screenshot() if ctx.hooks.screenshot is not None else None
        if not png:
            return CommandResult.failed("no display: the terminal runs headless (no screenshot hook registered)")
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            info = tarfile.TarInfo("screenshot.png")
            info.size, info.mtime = len(png), int(time.time())
            archive.addfile(info, io.BytesIO(png))
        return await _upload(ctx, buffer.getvalue(), "screenshot")

    async def restart(args: dict[str, Any]) -> CommandResult:
        if ctx.hooks.restart is None:
            return CommandResult.failed("no restart hook: the app is not running under its supervisor")
        ctx.restart_requested = True
        return CommandResult.done("restarting after this acknowledgement")

    async def set_restart_window(args: dict[str, Any]) -> CommandResult:
        try:
            window = RestartWindow.parse(str(args.get("start", "")), str(args.get("end", "")))
        except ConfigError as exc:
            return CommandResult.failed(str(exc))
        ctx.mode.set_restart_window(window)
        ctx.commands.set_setting("restart_window", json.dumps({"start": window.start, "end": window.end}))
        return CommandResult.done(f"nightly restart window {window.start}-{window.end}")

    return {
        "reload_config": reload_config,
        "hall_message": hall_message,
        "out_of_service": set_mode("out_of_service"),
        "in_service": set_mode("in_service"),
        "enter_maintenance": set_mode("maintenance"),
        "exit_maintenance": set_mode("in_service"),
        "upload_logs": upload_logs,
        "screenshot": screenshot,
        "restart": restart,
        "set_restart_window": set_restart_window,
    }


def restore_settings(ctx: HandlerContext) -> None:
    """Re-apply settings a previous run received (the restart window) after a restart."""
    raw = ctx.commands.setting("restart_window")
    if raw:
        try:
            value = json.loads(raw)
            ctx.mode.set_restart_window(RestartWindow.parse(value["start"], value["end"]))
        except (ValueError, KeyError, ConfigError):
            pass
