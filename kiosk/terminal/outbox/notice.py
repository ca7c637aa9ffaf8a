"""The outbox in one line for the maintenance dashboard: what a technician must act on (kiosk outbox …)."""

from __future__ import annotations

from typing import Any


def maintenance_notice(outbox: Any) -> str:
    """'' when nothing waits; else the key problem, dead letters, held and pending counts, in that order."""
    if outbox is None:
        return ""
    stats = outbox.stats()
    parts = []
    if getattr(outbox, "quarantined", None):
        parts.append(f"outbox.db 已损坏，保留为 {outbox.quarantined[0].name} 待恢复，新申请照常受理")
    if stats.unavailable:
        parts.append("申报材料密钥不可用，暂停受理：请恢复备份的 outbox.key（kiosk outbox restore-key）")
    if stats.rejected:
        parts.append(f"{stats.rejected} 件申请被平台退回（死信）：kiosk outbox list 查看，redrive 重投或 export 交窗口")
    if stats.held:
        parts.append(f"{stats.held} 件申请等待目录同步")
    if stats.depth:
        parts.append(f"{stats.depth} 件待送达")
    return "；".join(parts)
