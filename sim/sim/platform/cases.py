"""Materials, application submit (idempotent), and cases that advance through states with time.

A case's state is a pure function of its acceptance time and ``stage_s``: 受理 → (流转) → 审核 → 办结.
就地批办 (instant) is 办结 at once and carries its result document in the submit answer.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from kiosk.platform.contract import ApiError
from sim.platform.context import Ctx
from sim.platform.db import row
from sim.platform.identity import SUBMIT_GRACE_S, person_for_token

LABELS = {"accepted": "已受理", "transferred": "已流转至办理地", "reviewing": "审核中", "completed": "已办结"}
MAX_MATERIAL = 10 * 1024 * 1024
_MAGIC = {"image/jpeg": b"\xff\xd8", "image/png": b"\x89PNG", "application/pdf": b"%PDF"}


def upload_material(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    digest = ctx.params["sha256"]
    data = ctx.raw
    if len(data) > MAX_MATERIAL:
        raise ApiError(413, "MATERIAL_TOO_LARGE", "单件材料不能超过 10 MiB", "body")
    if hashlib.sha256(data).hexdigest() != digest:
        raise ApiError(422, "DIGEST_MISMATCH", "材料内容与路径中的摘要不一致", "sha256")
    if not data.startswith(_MAGIC[ctx.media_type]):
        raise ApiError(422, "MATERIAL_INVALID", f"材料内容不是 {ctx.media_type}", "body")
    ctx.db.conn.execute("INSERT OR IGNORE INTO materials (sha256, media_type, size, content, terminal_id, stored_at) VALUES (?, ?, ?, ?, ?, ?)",
                        (digest, ctx.media_type, len(data), data, ctx.terminal_id, int(ctx.now)))
    return 201, {"sha256": digest, "size": len(data), "media_type": ctx.media_type}


def _timeline(app: dict[str, Any], now: float, stage_s: float) -> list[dict[str, Any]]:
    t0 = app["accepted_at"]
    if app["mode"] == "instant":
        steps = [("accepted", 0, app["receiving_district"]), ("completed", 0, app["receiving_district"])]
    else:
        steps = [("accepted", 0, app["receiving_district"])]
        if app["mode"] in ("remote_proxy", "multi_site"):
            steps.append(("transferred", 1, app["handling_district"]))
        steps += [("reviewing", len(steps), app["handling_district"]), ("completed", len(steps) + 1, app["handling_district"])]
    return [{"status": s, "label": LABELS[s], "at": int(t0 + k * stage_s), "district": d} for s, k, d in steps if t0 + k * stage_s <= now]


def _result_document(case_id: str, item_name: str, department: str, person: dict[str, Any], now: float) -> dict[str, Any]:
    code = hashlib.sha256(f"{case_id}:result".encode()).hexdigest()[:12].upper()
    return {"document_id": f"DOC-{case_id}", "title": f"{item_name}结果", "issuer": department, "issued_at": int(now),
            "verification_code": code, "fields": {"办件编号": case_id, "申请人": person["name"], "事项": item_name, "结论": "准予办理"}}


def case_view(ctx: Ctx, app: dict[str, Any]) -> dict[str, Any]:
    history = _timeline(app, ctx.now, ctx.state.stage_s)
    last = history[-1]
    completed = last["at"] if last["status"] == "completed" else None
    document = json.loads(app["result_document"]) if app["result_document"] else None
    if completed and document is None:
        document = {"document_id": f"DOC-{app['case_id']}", "title": f"{app['item_name']}结果", "issuer": app["department"], "issued_at": completed,
                    "verification_code": hashlib.sha256(f"{app['case_id']}:result".encode()).hexdigest()[:12].upper(), "fields": {"办件编号": app["case_id"], "结论": "准予办理"}}
    return {"case_id": app["case_id"], "item_code": app["item_code"], "item_name": app["item_name"], "mode": app["mode"], "status": last["status"],
            "status_label": last["label"], "receiving_district": app["receiving_district"], "handling_district": app["handling_district"],
            "accepted_at": int(app["accepted_at"]), "completed_at": completed, "terminal_receipt": app["terminal_receipt"], "history": history, "result_document": document}


def _submit_result(app: dict[str, Any], replayed: bool) -> dict[str, Any]:
    document = json.loads(app["result_document"]) if app["result_document"] else None
    return {"case_id": app["case_id"], "status": "completed" if app["mode"] == "instant" else "accepted", "accepted_at": int(app["accepted_at"]),
            "mode": app["mode"], "terminal_receipt": app["terminal_receipt"], "replayed": replayed, "result_document": document}


def _check_references(ctx: Ctx, body: dict[str, Any], person: dict[str, Any]) -> None:
    for district_field in ("receiving_district", "handling_district"):
        code = body.get(district_field)
        if code and not ctx.db.conn.execute("SELECT 1 FROM districts WHERE code = ?", (code,)).fetchone():
            raise ApiError(422, "DISTRICT_UNKNOWN", "行政区划代码不属于重庆市区县", district_field)
    for index, code in enumerate(body.get("participating_districts", [])):
        if not ctx.db.conn.execute("SELECT 1 FROM districts WHERE code = ?", (code,)).fetchone():
            raise ApiError(422, "DISTRICT_UNKNOWN", "行政区划代码不属于重庆市区县", f"participating_districts.{index}")
    for index, material in enumerate(body["materials"]):
        if material["source"] == "license":
            if not ctx.db.conn.execute("SELECT 1 FROM licenses WHERE license_id = ? AND person_key = ?", (material.get("license_id", ""), person["key"])).fetchone():
                raise ApiError(422, "LICENSE_UNKNOWN", "引用的电子证照不属于申请人", f"materials.{index}.license_id")
        elif not ctx.db.conn.execute("SELECT 1 FROM materials WHERE sha256 = ?", (material.get("sha256", ""),)).fetchone():
            raise ApiError(422, "MATERIAL_MISSING", "材料尚未上传，请先 PUT /v1/materials/{sha256}", f"materials.{index}.sha256")


def submit_application(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    body = ctx.body
    key = ctx.params["Idempotency-Key"]
    body_sha = hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    existing = row(ctx.db, "SELECT * FROM applications WHERE terminal_id = ? AND idempotency_key = ?", (ctx.terminal_id, key))
    if existing is not None:
        if existing["body_sha256"] != body_sha:
            raise ApiError(409, "IDEMPOTENCY_CONFLICT", "同一幂等键已用于内容不同的申请", "Idempotency-Key")
        ctx.db.conn.execute("INSERT INTO submit_log (case_id, idempotency_key, replayed, at) VALUES (?, ?, 1, ?)", (existing["case_id"], key, int(ctx.now)))
        return 200, _submit_result(existing, True)
    item = row(ctx.db, "SELECT * FROM items WHERE code = ?", (body["item_code"],))
    if item is None:
        raise ApiError(422, "ITEM_UNKNOWN", "事项不存在", "item_code")
    if body["mode"] not in json.loads(item["modes"]):
        raise ApiError(422, "MODE_NOT_SUPPORTED", "该事项不支持所选办理模式", "mode")
    person = person_for_token(ctx, body["person_token"], grace_s=SUBMIT_GRACE_S)
    _check_references(ctx, body, person)
    handling = body.get("handling_district") or body["receiving_district"]
    now = ctx.now  # kept fractional: stages may be shorter than a second (tests, demos)
    with ctx.db.conn:  # one transaction: the case number and the row
        ctx.db.conn.execute("BEGIN IMMEDIATE")
        seq = ctx.db.conn.execute("SELECT COUNT(*) FROM applications").fetchone()[0] + 1
        case_id = "CQ" + time.strftime("%Y%m%d", time.localtime(now)) + f"{seq:06d}"
        document = _result_document(case_id, item["name"], item["department"], person, now) if body["mode"] == "instant" else None
        app = {"case_id": case_id, "idempotency_key": key, "terminal_id": ctx.terminal_id, "body_sha256": body_sha, "item_code": item["code"],
               "mode": body["mode"], "person_key": person["key"], "receiving_district": body["receiving_district"], "handling_district": handling,
               "body": json.dumps(body, ensure_ascii=False), "accepted_at": now, "terminal_receipt": body["terminal_receipt"],
               "result_document": json.dumps(document, ensure_ascii=False) if document else None}
        ctx.db.conn.execute(f"INSERT INTO applications ({', '.join(app)}) VALUES ({', '.join('?' * len(app))})", tuple(app.values()))
        ctx.db.conn.execute("INSERT INTO submit_log (case_id, idempotency_key, replayed, at) VALUES (?, ?, 0, ?)", (case_id, key, int(now)))
    return 201, _submit_result(app, False)


def find_case(ctx: Ctx, case_id: str, field: str = "case_id") -> dict[str, Any]:
    app = row(ctx.db, "SELECT a.*, i.name AS item_name, i.department FROM applications a JOIN items i ON i.code = a.item_code WHERE a.case_id = ?", (case_id,))
    if app is None:
        raise ApiError(404, "CASE_NOT_FOUND", "办件不存在", field)
    return app


def get_case(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    return 200, case_view(ctx, find_case(ctx, ctx.params["case_id"]))


HANDLERS = {"uploadMaterial": upload_material, "submitApplication": submit_application, "getCase": get_case}
