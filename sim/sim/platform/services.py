"""Citizen services around a case: 好差评, appointments, queue tickets, 办不成事 complaints, 帮办 help."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from kiosk.platform.contract import ApiError
from sim.platform.context import Ctx
from sim.platform.cases import find_case
from sim.platform.catalog import centre_row, queue_length
from sim.platform.identity import person_for_token

LEVELS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}
CST = dt.timezone(dt.timedelta(hours=8))
SLOT_CAPACITY = 5
SLOT_HOURS = (9, 10, 11, 13, 14, 15, 16)


def evaluate(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    body = ctx.body
    case_id = body.get("case_id")
    if case_id:
        find_case(ctx, case_id)
        if ctx.db.conn.execute("SELECT 1 FROM evaluations WHERE case_id = ?", (case_id,)).fetchone():
            raise ApiError(409, "ALREADY_EVALUATED", "该办件已评价", "case_id")
    evaluation_id = "EV" + secrets.token_hex(8).upper()
    ctx.db.conn.execute("INSERT INTO evaluations (evaluation_id, case_id, item_code, score, comment, terminal_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (evaluation_id, case_id, body.get("item_code"), body["score"], body.get("comment", ""), ctx.terminal_id, int(ctx.now)))
    # 差评 (1–2) must be rectified and answered: the platform flags it for follow-up.
    return 201, {"evaluation_id": evaluation_id, "score": body["score"], "level": LEVELS[body["score"]], "case_id": case_id, "rectification_required": body["score"] <= 2}


def _slots(ctx: Ctx, centre_id: str, day: dt.date) -> list[dict[str, Any]]:
    if day.weekday() >= 5:
        return []
    result = []
    for hour in SLOT_HOURS:
        for minute in (0, 30):
            start = int(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST).timestamp())
            if start <= ctx.now:
                continue
            booked = ctx.db.conn.execute("SELECT COUNT(*) FROM appointments WHERE centre_id = ? AND slot_start = ?", (centre_id, start)).fetchone()[0]
            result.append({"start": start, "end": start + 1800, "available": max(0, SLOT_CAPACITY - booked)})
    return result


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "PARAM_INVALID", "日期格式应为 YYYY-MM-DD", "date") from None


def list_slots(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    centre = centre_row(ctx, ctx.params["centre_id"])
    day = _date(ctx.params["date"])
    return 200, {"centre_id": centre["centre_id"], "date": day.isoformat(), "slots": _slots(ctx, centre["centre_id"], day)}


def book_appointment(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    body = ctx.body
    centre = centre_row(ctx, body["centre_id"])
    if item_missing(ctx, body["item_code"]):
        raise ApiError(422, "ITEM_UNKNOWN", "事项不存在", "item_code")
    person = person_for_token(ctx, body["person_token"])
    try:
        day = dt.datetime.fromtimestamp(body["slot_start"], CST).date()
    except (OverflowError, OSError, ValueError):
        raise ApiError(422, "SLOT_UNAVAILABLE", "预约时段不存在", "slot_start") from None
    slot = next((s for s in _slots(ctx, centre["centre_id"], day) if s["start"] == body["slot_start"]), None)
    if slot is None or slot["available"] == 0:
        raise ApiError(422, "SLOT_UNAVAILABLE", "该时段不可预约或已约满", "slot_start")
    appointment_id = "AP" + secrets.token_hex(6).upper()
    code = f"{int(hashlib.sha256(appointment_id.encode()).hexdigest()[:8], 16) % 1_000_000:06d}"
    ctx.db.conn.execute("INSERT INTO appointments VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (appointment_id, centre["centre_id"], body["item_code"], body["slot_start"], person["key"], code, int(ctx.now)))
    return 201, {"appointment_id": appointment_id, "centre_id": centre["centre_id"], "centre_name": centre["name"], "address": centre["address"],
                 "item_code": body["item_code"], "slot_start": body["slot_start"], "check_in_code": code}


def item_missing(ctx: Ctx, code: str) -> bool:
    return ctx.db.conn.execute("SELECT 1 FROM items WHERE code = ?", (code,)).fetchone() is None


def take_ticket(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    body = ctx.body
    centre = centre_row(ctx, body["centre_id"])
    if "item_code" in body and item_missing(ctx, body["item_code"]):
        raise ApiError(422, "ITEM_UNKNOWN", "事项不存在", "item_code")
    if "person_token" in body:
        person_for_token(ctx, body["person_token"])
    ahead = queue_length(ctx, centre["centre_id"])
    day = dt.datetime.fromtimestamp(ctx.now, CST).date().isoformat()
    seq = ctx.db.conn.execute("SELECT COUNT(*) FROM tickets WHERE centre_id = ? AND day = ?", (centre["centre_id"], day)).fetchone()[0] + 1
    priority = body.get("priority", "normal")
    ticket = f"{'V' if priority != 'normal' else 'A'}{seq:03d}"
    ctx.db.conn.execute("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?)", (ticket, centre["centre_id"], day, seq, priority, int(ctx.now)))
    ahead = 0 if priority != "normal" else ahead
    return 201, {"ticket_no": ticket, "centre_id": centre["centre_id"], "centre_name": centre["name"], "waiting_ahead": ahead,
                 "estimated_wait_min": ahead * 4, "issued_at": int(ctx.now)}


def _working_days_after(start: dt.date, days: int) -> dt.date:
    current = start
    while days:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def file_complaint(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    body = ctx.body
    if "person_token" in body:
        person_for_token(ctx, body["person_token"])
    complaint_id = "BBC" + secrets.token_hex(6).upper()
    ctx.db.conn.execute("INSERT INTO complaints VALUES (?, ?, ?, ?, ?)",
                        (complaint_id, body["category"], body["description"], json.dumps(body, ensure_ascii=False), int(ctx.now)))
    deadline = _working_days_after(dt.datetime.fromtimestamp(ctx.now, CST).date(), 5)
    return 201, {"complaint_id": complaint_id, "status": "received", "reply_deadline": deadline.isoformat(), "hotline": "12345"}


def request_help(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    body = ctx.body
    if "person_token" in body:
        person_for_token(ctx, body["person_token"])
    request_id = "HB" + secrets.token_hex(6).upper()
    ctx.db.conn.execute("INSERT INTO help_requests VALUES (?, ?, ?, ?)", (request_id, body["kind"], json.dumps(body, ensure_ascii=False), int(ctx.now)))
    if body["kind"] == "on_site":
        return 201, {"request_id": request_id, "status": "assigned", "estimated_wait_s": 120, "agent_name": "大厅帮办员（演示）"}
    waiting = ctx.db.conn.execute("SELECT COUNT(*) FROM help_requests WHERE at > ?", (int(ctx.now) - 600,)).fetchone()[0]
    return 201, {"request_id": request_id, "status": "queued", "estimated_wait_s": 30 * waiting, "agent_name": None}


HANDLERS = {"evaluate": evaluate, "listSlots": list_slots, "bookAppointment": book_appointment, "takeQueueTicket": take_ticket,
            "fileComplaint": file_complaint, "requestHelp": request_help}
