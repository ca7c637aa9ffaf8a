"""Continue on mobile (转手机办理) and a person's own cases (按身份查询办件).

The terminal registers the draft of an application against the verified person and gets a
one-time token; the QR on screen carries only a URL with that token. The phone claims the draft
once (unsigned: the token is the credential), within ten minutes.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from kiosk.platform.contract import ApiError
from sim.platform.context import Ctx
from sim.platform.cases import case_view
from sim.platform.db import row, rows
from sim.platform.identity import person_for_token
from kiosk.privacy import mask_name

HANDOVER_TTL_S = 600
MOBILE_URL = "https://zwykb.cq.gov.cn/m/continue?t="
_SCHEMA = ("CREATE TABLE IF NOT EXISTS handovers (handover_id TEXT PRIMARY KEY, person_key TEXT NOT NULL, item_code TEXT NOT NULL, "
           "step TEXT NOT NULL, draft TEXT NOT NULL, terminal_id TEXT NOT NULL, expires_at INTEGER NOT NULL, claimed_at INTEGER)")


def create_handover(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    body = ctx.body
    person = person_for_token(ctx, body["person_token"])
    if row(ctx.db, "SELECT code FROM items WHERE code = ?", (body["item_code"],)) is None:
        raise ApiError(422, "ITEM_UNKNOWN", "事项不存在", "item_code")
    handover_id = "ho_" + secrets.token_urlsafe(24)
    expires = int(ctx.now) + HANDOVER_TTL_S
    ctx.db.conn.execute(_SCHEMA)
    ctx.db.conn.execute("INSERT INTO handovers VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                        (handover_id, person["key"], body["item_code"], body.get("step", ""), json.dumps(body["draft"], ensure_ascii=False),
                         ctx.terminal_id, expires))
    return 201, {"handover_id": handover_id, "url": MOBILE_URL + handover_id, "item_code": body["item_code"], "expires_at": expires}


def claim_handover(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    ctx.db.conn.execute(_SCHEMA)
    found = row(ctx.db, "SELECT h.*, i.name AS item_name, p.name AS person_name FROM handovers h JOIN items i ON i.code = h.item_code "
                        "JOIN persons p ON p.key = h.person_key WHERE h.handover_id = ?", (ctx.params["handover_id"],))
    if found is None:
        raise ApiError(404, "HANDOVER_NOT_FOUND", "二维码无效，请在终端重新生成", "handover_id")
    if found["claimed_at"] is not None or found["expires_at"] < int(ctx.now):
        raise ApiError(410, "HANDOVER_USED", "二维码已使用或已过期，请在终端重新生成", "handover_id")
    claimed = ctx.db.conn.execute("UPDATE handovers SET claimed_at = ? WHERE handover_id = ? AND claimed_at IS NULL",
                                  (int(ctx.now), found["handover_id"])).rowcount
    if not claimed:  # another phone won the race
        raise ApiError(410, "HANDOVER_USED", "二维码已使用或已过期，请在终端重新生成", "handover_id")
    return 200, {"item_code": found["item_code"], "item_name": found["item_name"], "step": found["step"], "draft": json.loads(found["draft"]),
                 "name_masked": mask_name(found["person_name"]), "expires_at": found["expires_at"]}


def list_person_cases(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    person = person_for_token(ctx, ctx.params["person_token"])
    apps = rows(ctx.db, "SELECT a.*, i.name AS item_name, i.department FROM applications a JOIN items i ON i.code = a.item_code "
                        "WHERE a.person_key = ? ORDER BY a.accepted_at DESC LIMIT 50", (person["key"],))
    return 200, {"cases": [case_view(ctx, app) for app in apps]}


HANDLERS = {"createHandover": create_handover, "claimHandover": claim_handover, "listPersonCases": list_person_cases}
