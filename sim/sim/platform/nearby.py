"""Nearby working terminals: where to send a citizen when this terminal cannot identify anyone.

The emulator's fleet is every registered terminal heard from within ``FRESH_S`` whose last heartbeat
says ``in_service``, plus, from the centres seed, one self-service terminal in each service centre's
hall (``<centre_id>-ZZ``, always serving): a single emulated terminal then still has neighbours to
point at. A terminal stands at the centre whose name its ``hall`` contains, else at its district's
district-level centre; distances are from the asking terminal's centre.
"""

from __future__ import annotations

import json
from typing import Any

from sim.platform.catalog import _distance_km
from sim.platform.context import Ctx
from sim.platform.db import row, rows

FRESH_S = 600


def _centre_of(centres: list[dict[str, Any]], district_code: str, hall: str) -> dict[str, Any] | None:
    named = [c for c in centres if hall and c["name"] in hall]
    if named:
        return max(named, key=lambda c: len(c["name"]))
    in_district = [c for c in centres if c["district_code"] == district_code]
    return next((c for c in in_district if c["level"] == "district"), in_district[0] if in_district else None)


def _serving(terminal: dict[str, Any], now: float) -> bool:
    if terminal["last_seen"] is None or now - terminal["last_seen"] > FRESH_S:
        return False
    try:
        return json.loads(terminal["last_heartbeat"] or "{}").get("terminal_state") == "in_service"
    except ValueError:
        return False


def list_nearby_terminals(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    centres = rows(ctx.db, "SELECT * FROM centres ORDER BY centre_id")
    me = row(ctx.db, "SELECT district_code, hall FROM terminals WHERE terminal_id = ?", (ctx.terminal_id,)) or {"district_code": "", "hall": ""}
    here = _centre_of(centres, me["district_code"], me["hall"] or "")
    fleet: list[tuple[str, dict[str, Any]]] = [(f"{c['centre_id']}-ZZ", c) for c in centres]
    for t in rows(ctx.db, "SELECT * FROM terminals WHERE terminal_id != ?", (ctx.terminal_id,)):
        centre = _centre_of(centres, t["district_code"], t["hall"] or "")
        if centre is not None and _serving(t, ctx.now):
            fleet.append((t["terminal_id"], centre))
    scored = [(tid, c, _distance_km(here["lat"], here["lon"], c["lat"], c["lon"]) if here else None) for tid, c in fleet]
    scored.sort(key=lambda entry: (entry[2] if entry[2] is not None else 0.0, entry[0]))
    found = [{"terminal_id": tid, "centre_id": c["centre_id"], "centre_name": c["name"], "address": c["address"], "hours": c["hours"],
              "distance_km": None if d is None else round(d, 2)} for tid, c, d in scored[: ctx.params.get("limit", 3)]]
    return 200, {"terminals": found}


HANDLERS = {"listNearbyTerminals": list_nearby_terminals}
