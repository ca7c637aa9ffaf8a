"""Read-only catalogues: items and guides, districts, service centres (map data), FAQ search."""

from __future__ import annotations

import hashlib
import json
import math
import time
from typing import Any

from kiosk.platform.contract import ApiError
from sim.platform.context import Ctx
from sim.platform.db import row, rows


def _item_summary(r: dict[str, Any]) -> dict[str, Any]:
    return {"code": r["code"], "name": r["name"], "department": r["department"], "category": r["category"], "modes": json.loads(r["modes"])}


def list_items(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    p = ctx.params
    found = [_item_summary(r) for r in rows(ctx.db, "SELECT * FROM items ORDER BY code")]
    if "q" in p:
        found = [i for i in found if p["q"] in i["name"] or p["q"] in i["department"] or p["q"] == i["code"]]
    if "category" in p:
        found = [i for i in found if i["category"] == p["category"]]
    if "mode" in p:
        found = [i for i in found if p["mode"] in i["modes"]]
    offset, limit = p.get("offset", 0), p.get("limit", 50)
    return 200, {"items": found[offset:offset + limit], "total": len(found)}


def get_item(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    r = row(ctx.db, "SELECT * FROM items WHERE code = ?", (ctx.params["item_code"],))
    if r is None:
        raise ApiError(404, "ITEM_NOT_FOUND", "事项不存在", "item_code")
    return 200, {**_item_summary(r), "guide": json.loads(r["guide"])}


def list_districts(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    return 200, {"districts": rows(ctx.db, "SELECT code, name, kind FROM districts ORDER BY code")}


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((phi2 - phi1) / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def queue_length(ctx: Ctx, centre_id: str) -> int:
    """A plausible queue: a per-centre base that moves every 10 minutes, plus tickets taken today."""
    slot = int(ctx.now // 600)
    base = int(hashlib.sha256(f"{centre_id}:{slot}".encode()).hexdigest()[:4], 16) % 15
    day = time.strftime("%Y-%m-%d", time.localtime(ctx.now))
    taken = ctx.db.conn.execute("SELECT COUNT(*) FROM tickets WHERE centre_id = ? AND day = ?", (centre_id, day)).fetchone()[0]
    return base + int(taken)


def _centre(ctx: Ctx, r: dict[str, Any], distance: float | None) -> dict[str, Any]:
    return {"centre_id": r["centre_id"], "name": r["name"], "level": r["level"], "district_code": r["district_code"], "district_name": r["district_name"],
            "address": r["address"], "location": {"lat": r["lat"], "lon": r["lon"]}, "hours": r["hours"], "phone": r["phone"],
            "items": json.loads(r["items"]), "queue_length": queue_length(ctx, r["centre_id"]), "distance_km": None if distance is None else round(distance, 2)}


def list_centres(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    p = ctx.params
    found = rows(ctx.db, "SELECT * FROM centres ORDER BY centre_id")
    if "district_code" in p:
        found = [r for r in found if r["district_code"] == p["district_code"]]
    if "item_code" in p:
        found = [r for r in found if p["item_code"] in json.loads(r["items"])]
    here = (p["lat"], p["lon"]) if "lat" in p and "lon" in p else None
    scored = [(r, _distance_km(here[0], here[1], r["lat"], r["lon"]) if here else None) for r in found]
    if here:
        scored.sort(key=lambda pair: pair[1] or 0.0)
    return 200, {"centres": [_centre(ctx, r, d) for r, d in scored[: p.get("limit", 20)]]}


def centre_row(ctx: Ctx, centre_id: str) -> dict[str, Any]:
    r = row(ctx.db, "SELECT * FROM centres WHERE centre_id = ?", (centre_id,))
    if r is None:
        raise ApiError(404, "CENTRE_NOT_FOUND", "服务中心不存在", "centre_id")
    return r


def get_centre(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    return 200, _centre(ctx, centre_row(ctx, ctx.params["centre_id"]), None)


def search_knowledge(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    query = ctx.params["q"].strip()
    wanted = set(query) - set(" ？?，,。")
    hits = []
    for r in rows(ctx.db, "SELECT * FROM faq"):
        if "item_code" in ctx.params and r["item_code"] != ctx.params["item_code"]:
            continue
        text = r["question"] + r["answer"]
        score = 1.0 if query and query in text else (len([c for c in wanted if c in text]) / len(wanted) if wanted else 0.0)
        if score >= 0.5:
            hits.append({**r, "score": round(score, 3)})
    hits.sort(key=lambda h: -h["score"])
    return 200, {"results": hits[: ctx.params.get("limit", 10)]}


HANDLERS = {"listItems": list_items, "getItem": get_item, "listDistricts": list_districts, "listCentres": list_centres,
            "getCentre": get_centre, "searchKnowledge": search_knowledge}
