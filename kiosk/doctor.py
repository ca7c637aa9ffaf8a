"""``kiosk doctor``: can this terminal serve citizens right now, and if not, why?

Opens every configured device, probes it (a mute peer is not online), reads its status and
capabilities, checks the platform, disk space and the CJK font. The report is a plain dict (documented in docs/doctor.md) so the heartbeat and
maintenance mode can reuse it.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from typing import Any

import httpx

from kiosk.fonts import find_cjk_font
from kiosk.ime import health as ime_health
from kiosk.settings.model import TerminalConfig
from kiosk.terminal.facade import Terminal
from kiosk.terminal.status import DeviceState

MIN_FREE_MB = 500


async def _probe_all(terminal: Terminal) -> dict[Any, str | None]:
    """One probe per opened device that has one: a peer that accepted the connection but does not answer is
    not online (the status the probe leaves is what the report shows). None: the class has no probe."""
    classes = [cls for cls, device in terminal.devices.items() if device.probes and device.status().ready]
    results = await asyncio.gather(*(terminal.devices[cls].probe() for cls in classes))
    probed: dict[Any, str | None] = dict.fromkeys(terminal.devices)
    probed.update({cls: result.code.value for cls, result in zip(classes, results, strict=True)})
    return probed


async def _device_report(terminal: Terminal) -> list[dict[str, Any]]:
    await terminal.start()
    probed = await _probe_all(terminal)
    rows = []
    for cls, device in terminal.devices.items():
        status = device.status()
        rows.append(
            {
                "name": cls.value,
                "url": terminal.specs[cls].url.raw,
                "required": terminal.specs[cls].required,
                "state": status.state.value,
                "online": status.state is DeviceState.ONLINE,
                "description": status.description,
                "detail": status.detail,
                "last_error": status.last_error,
                "action": status.last_action.value if status.last_action else None,
                "capabilities": device.capabilities(),
                "probe": probed[cls],
            }
        )
    await terminal.stop()
    return rows


def _platform_report(config: TerminalConfig) -> dict[str, Any]:
    url = config.platform.url
    if url == "embedded:":
        return {"url": url, "reachable": True, "detail": "embedded emulator (started on demand)"}
    started = time.monotonic()
    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=config.platform.timeout_s)
        return {"url": url, "reachable": response.status_code < 500, "detail": f"HTTP {response.status_code}",
                "latency_ms": round((time.monotonic() - started) * 1000, 1)}
    except httpx.HTTPError as exc:
        return {"url": url, "reachable": False, "detail": f"{type(exc).__name__}: {exc}"}


def _disk_report(config: TerminalConfig) -> dict[str, Any]:
    path = config.terminal.data_path()
    path.mkdir(parents=True, exist_ok=True)
    usage = shutil.disk_usage(path)
    free_mb = usage.free // (1024 * 1024)
    return {"path": str(path), "free_mb": free_mb, "total_mb": usage.total // (1024 * 1024), "ok": free_mb >= MIN_FREE_MB}


def _font_report(config: TerminalConfig) -> dict[str, Any]:
    font = find_cjk_font(config.ui.font)
    if font is None:
        return {"ok": False, "detail": "no CJK font: apt-get install fonts-noto-cjk (Chinese text would show as boxes)"}
    return {"ok": True, "path": str(font.path), "family": font.family, "covers_rare": font.covers_rare}


def run_doctor(config: TerminalConfig) -> dict[str, Any]:
    devices = asyncio.run(_device_report(Terminal(config)))
    report: dict[str, Any] = {
        "terminal": config.terminal.id,
        "devices": devices,
        "platform": _platform_report(config),
        "disk": _disk_report(config),
        "font": _font_report(config),
        "ime": ime_health.report(),
    }
    problems = [f"device {d['name']}: {d['state']} {d['description']}".strip() for d in devices if d["required"] and not d["online"]]
    if not report["platform"]["reachable"]:
        problems.append(f"platform unreachable: {report['platform']['detail']}")
    if not report["disk"]["ok"]:
        problems.append(f"low disk: {report['disk']['free_mb']} MiB free")
    if not report["font"]["ok"]:
        problems.append(report["font"]["detail"])
    if not report["ime"]["ok"]:
        problems.append(report["ime"]["detail"])
    report["problems"] = problems
    report["ok"] = not problems
    return report
