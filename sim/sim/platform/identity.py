"""Identity verification (ID card + face, 渝快码/电子身份证, 社保卡) → person token; shared data; 电子证照."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from typing import Any

from kiosk.platform.contract import ApiError
from sim.platform.context import Ctx
from sim.platform.db import row, rows
from kiosk.privacy import mask_id_number, mask_name

TOKEN_TTL_S = 30 * 60
# An application queued in a terminal's outbox during an outage is still accepted this long after
# the token expired: the citizen was verified at the terminal when it was written.
SUBMIT_GRACE_S = 7 * 24 * 3600


def _issue(ctx: Ctx, person: dict[str, Any], method: str, similarity: float | None) -> tuple[int, dict[str, Any]]:
    token = "pt_" + secrets.token_urlsafe(24)
    expires = int(ctx.now) + TOKEN_TTL_S
    ctx.db.conn.execute("INSERT INTO tokens (token, person_key, method, expires_at) VALUES (?, ?, ?, ?)", (token, person["key"], method, expires))
    return 200, {"person_token": token, "expires_at": expires, "method": method, "name_masked": mask_name(person["name"]),
                 "id_number_masked": mask_id_number(person["id_number"]), "similarity": similarity}


def person_for_token(ctx: Ctx, token: str, grace_s: int = 0, field: str = "person_token") -> dict[str, Any]:
    found = row(ctx.db, "SELECT p.* FROM tokens t JOIN persons p ON p.key = t.person_key WHERE t.token = ? AND t.expires_at + ? >= ?",
                (token, grace_s, int(ctx.now)))
    if found is None:
        raise ApiError(422, "PERSON_TOKEN_INVALID", "身份核验已失效，请重新核验身份", field)
    return found


def verify_id_card(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    card = ctx.body["id_card"]
    person = row(ctx.db, "SELECT * FROM persons WHERE id_number = ?", (card["id_number"],))
    if person is None or person["name"] != card["name"]:
        raise ApiError(422, "PERSON_NOT_FOUND", "未查询到该身份证对应的人员信息", "id_card.id_number")
    try:
        face = base64.b64decode(ctx.body["face_jpeg_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "FACE_INVALID", "人脸照片不是有效的 base64", "face_jpeg_base64") from None
    if not face.startswith(b"\xff\xd8") or len(face) < 64:
        raise ApiError(422, "FACE_INVALID", "人脸照片不是 JPEG", "face_jpeg_base64")
    if ctx.body.get("liveness_score", 1.0) < 0.5:
        raise ApiError(422, "LIVENESS_FAILED", "活体检测未通过，请正对摄像头重试", "liveness_score")
    # The emulator has no face model; similarity is a stable function of the photo so tests can rely on it.
    similarity = 0.9 + (hashlib.sha256(face).digest()[0] % 9) / 100
    return _issue(ctx, person, "id_card_face", round(similarity, 2))


def verify_code(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    column = "yukuaima" if ctx.body["kind"] == "yukuaima" else "eid"
    person = row(ctx.db, f"SELECT * FROM persons WHERE {column} = ?", (ctx.body["code"],))
    if person is None:
        raise ApiError(422, "CODE_INVALID", "二维码无效或已过期，请刷新后重试", "code")
    return _issue(ctx, person, ctx.body["kind"], None)


def verify_social_security(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    body = ctx.body
    person = row(ctx.db, "SELECT * FROM persons WHERE social_security_card = ?", (body["card_number"],))
    if person is None or person["id_number"] != body["id_number"] or person["name"] != body["name"]:
        raise ApiError(422, "CARD_NOT_FOUND", "社会保障卡信息与登记不一致", "card_number")
    if not body["pin_verified"]:
        raise ApiError(422, "PIN_REQUIRED", "请先输入社会保障卡密码", "pin_verified")
    return _issue(ctx, person, "social_security", None)


SHARED_SOURCES = {"name": "市公安局", "id_number": "市公安局", "sex": "市公安局", "birth_date": "市公安局", "nation": "市公安局",
                  "household_address": "市公安局", "residence_address": "市公安局", "phone": "市通信管理局（实名登记）",
                  "employer": "市人力社保局", "marital_status": "市民政局", "insurance": "市人力社保局"}


def shared_data(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    person = person_for_token(ctx, ctx.params["person_token"])
    wanted = ctx.params.get("fields", ",".join(SHARED_SOURCES)).split(",")
    unknown = [f for f in wanted if f not in SHARED_SOURCES]
    if unknown:
        raise ApiError(400, "FIELD_UNKNOWN", f"没有共享字段 {unknown[0]}", "fields")
    data = {f: (json.loads(person[f]) if f == "insurance" else person[f]) for f in wanted}
    return 200, {"data": data, "sources": {f: SHARED_SOURCES[f] for f in wanted}}


def _license_summary(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r[k] for k in ("license_id", "type_code", "name", "issuer", "issued_on", "valid_until")}


def list_licenses(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    person = person_for_token(ctx, ctx.params["person_token"])
    found = rows(ctx.db, "SELECT * FROM licenses WHERE person_key = ? ORDER BY license_id", (person["key"],))
    if "type_code" in ctx.params:
        found = [r for r in found if r["type_code"] == ctx.params["type_code"]]
    return 200, {"licenses": [_license_summary(r) for r in found]}


def get_license(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    person = person_for_token(ctx, ctx.params["person_token"])
    r = row(ctx.db, "SELECT * FROM licenses WHERE person_key = ? AND license_id = ?", (person["key"], ctx.params["license_id"]))
    if r is None:
        raise ApiError(404, "LICENSE_NOT_FOUND", "电子证照不存在", "license_id")
    return 200, {**_license_summary(r), "fields": json.loads(r["fields"]), "verification_code": r["sha256"][:12].upper(), "sha256": r["sha256"]}


HANDLERS = {"verifyIdCard": verify_id_card, "verifyCode": verify_code, "verifySocialSecurity": verify_social_security,
            "getSharedData": shared_data, "listLicenses": list_licenses, "getLicense": get_license}
