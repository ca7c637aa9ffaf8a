"""The heartbeat body: terminal and device status, versions, outbox, disk, uptime, acknowledgements, alerts.

Built from snapshots only (device status, outbox stats, config state) so it never blocks on a
device. Each device row carries its thresholds (``detail``, e.g. paper near_end), the last error
and the recovery action a technician or the fleet console acts on ("paper near end → clear").
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from kiosk.terminal.completion import RecoveryAction
from kiosk.terminal.status import DeviceStatus

#: Consumable levels that need a person even when no command failed yet.
THRESHOLD_ACTIONS: dict[str, RecoveryAction] = {"near_end": RecoveryAction.CLEAR, "out": RecoveryAction.CLEAR, "open": RecoveryAction.CLEAR,
                                                "jam": RecoveryAction.CLEAR, "error": RecoveryAction.MAINTENANCE}


def _scalar(value: object) -> object:
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)[:100]


def device_row(status: DeviceStatus, counters: dict[str, int] | None = None) -> dict[str, Any]:
    detail = {str(k)[:40]: _scalar(v) for k, v in list(status.detail.items())[:24]}
    action = status.last_action
    if action is None:
        levels = [THRESHOLD_ACTIONS[v] for v in detail.values() if isinstance(v, str) and v in THRESHOLD_ACTIONS]
        action = levels[0] if levels else None
    row: dict[str, Any] = {"device": status.device[:40], "state": status.state.value, "description": status.description[:200],
                           "detail": detail, "last_error": status.last_error[:200], "action": action.value if action else None}
    if counters:
        row["counters"] = {k[:40]: int(v) for k, v in list(counters.items())[:16]}
    return row


def disk(path: Path) -> dict[str, int]:
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return {"free_mb": 0, "total_mb": 0}
    return {"free_mb": usage.free // 2**20, "total_mb": usage.total // 2**20}


def build_report(*, software_version: str, config_ack: dict[str, Any], mode: str, statuses: dict[str, DeviceStatus],
                 counters: dict[str, dict[str, int]] | None = None, outbox: dict[str, Any] | None = None, data_dir: Path | None = None,
                 started_at: float, command_results: list[dict[str, Any]] | None = None, hall_message: str = "",
                 selftest: dict[str, Any] | None = None, alerts: list[dict[str, Any]] | None = None,
                 refused_commands: list[dict[str, str]] | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {
        "software_version": software_version[:40],
        "config_version": config_ack["version"],
        "config": config_ack,
        "terminal_state": mode,
        "uptime_s": round(max(0.0, time.time() - started_at), 1),
        "devices": [device_row(s, (counters or {}).get(name)) for name, s in list(statuses.items())[:32]],
    }
    if outbox is not None:
        report["outbox"] = {k: outbox[k] for k in ("depth", "oldest_age_s", "rejected", "held", "unavailable") if k in outbox}
    if data_dir is not None:
        report["disk"] = disk(data_dir)
    if hall_message:
        report["hall_message"] = hall_message[:200]
    if command_results:
        report["command_results"] = command_results[:64]
        report["acked_commands"] = [r["command_id"] for r in command_results[:64]]
    if selftest is not None:
        report["selftest"] = selftest
    if alerts:
        report["alerts"] = [alert_row(a) for a in alerts[:16]]
    if refused_commands:
        report["refused_commands"] = [{"command_id": r["command_id"][:200], "reason": r["reason"][:200]} for r in refused_commands[:64]]
    return report


def with_audit_head(report: dict[str, Any], head: dict[str, Any] | None) -> dict[str, Any]:
    """The audit trail's head (seq, MAC, suite) rides on every heartbeat: once the platform holds it, nobody on the
    box can cut, wipe or re-chain the trail up to it unseen (``kiosk.store.audit_keys``)."""
    if head is not None:
        report["audit_head"] = {"seq": int(head["seq"]), "mac": str(head["mac"]), "suite": str(head["suite"])}
    return report


def alert_row(alert: dict[str, Any]) -> dict[str, Any]:
    """One alert as the contract takes it: code, severity, message (≤ 300), optional count."""
    row: dict[str, Any] = {"code": str(alert["code"])[:40], "severity": alert.get("severity", "error"),
                           "message": str(alert.get("message", ""))[:300]}
    if "count" in alert:
        row["count"] = max(0, int(alert["count"]))
    return row
