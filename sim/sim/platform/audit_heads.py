"""The platform's copy of each terminal's audit chain head (issue 16): the tail of the trail, off the box.

Every heartbeat carries the terminal's newest audit record (seq, MAC, suite). The platform keeps the highest one it
has seen and answers with it (``audit_head_ack``); the terminal keeps that answer as the second anchor of its
chain. A head that goes backwards (a cut tail, a wiped or replaced store, a re-installed terminal) is not taken:
the platform keeps answering with the head it holds, which the terminal cannot find in its trail, and an operator
can hand that head to ``kiosk audit verify --head`` at the terminal.
"""

from __future__ import annotations

import logging
from typing import Any

from sim.platform.context import Ctx

log = logging.getLogger(__name__)

SCHEMA = ("CREATE TABLE IF NOT EXISTS audit_heads (terminal_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, mac TEXT NOT NULL, "
          "suite TEXT NOT NULL, at INTEGER NOT NULL, regressions INTEGER NOT NULL DEFAULT 0)")


def keep_audit_head(ctx: Ctx) -> dict[str, Any] | None:
    """Store the heartbeat's audit head (never moving backwards); the head the platform holds, for the reply."""
    head = ctx.body.get("audit_head")
    conn = ctx.db.conn
    conn.execute(SCHEMA)
    held = conn.execute("SELECT seq, mac FROM audit_heads WHERE terminal_id = ?", (ctx.terminal_id,)).fetchone()
    if head is not None:
        if held is None or head["seq"] > held[0]:
            conn.execute("INSERT INTO audit_heads (terminal_id, seq, mac, suite, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(terminal_id) DO UPDATE "
                         "SET seq = excluded.seq, mac = excluded.mac, suite = excluded.suite, at = excluded.at",
                         (ctx.terminal_id, head["seq"], head["mac"], head["suite"], int(ctx.now)))
            held = (head["seq"], head["mac"])
        elif head["seq"] < held[0] or head["mac"] != held[1]:
            log.error("terminal %s audit head went from %d to %d: its trail was cut or replaced", ctx.terminal_id, held[0], head["seq"])
            conn.execute("UPDATE audit_heads SET regressions = regressions + 1 WHERE terminal_id = ?", (ctx.terminal_id,))
    return {"seq": held[0], "mac": held[1]} if held is not None else None


def audit_head(conn: Any, terminal_id: str) -> dict[str, Any] | None:
    """What the platform holds for ``terminal_id`` (operators, tests): seq, mac, suite, at, regressions."""
    conn.execute(SCHEMA)
    row = conn.execute("SELECT seq, mac, suite, at, regressions FROM audit_heads WHERE terminal_id = ?", (terminal_id,)).fetchone()
    return dict(zip(("seq", "mac", "suite", "at", "regressions"), row, strict=True)) if row else None
