"""The Starlette app: routes built from the contract, every request authenticated and validated first.

Order per request: match route → read body (≤ 11 MiB) → verify signature (401) → content type (415)
→ parameters and JSON body against the contract (400/404/422) → handler. Anything a handler raises
that is not an ``ApiError`` is a bug and answers 500 — bad input never gets there.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kiosk.platform.contract import ApiError, Operation, contract_text, operations
from sim.platform import cases, catalog, fleet, handover, identity, nearby, services, terminals
from sim.platform.auth import verify
from sim.platform.context import Ctx, EmulatorState, Handler
from sim.platform.db import open_db

log = logging.getLogger(__name__)
MAX_BODY = 11 * 1024 * 1024


def _handlers() -> dict[str, Handler]:
    table: dict[str, Handler] = {}
    for module in (terminals, catalog, identity, cases, services, fleet, handover, nearby):
        table.update(module.HANDLERS)
    return table


def _error(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


def _json_response(status: int, payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status_code=status, media_type="application/json")


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, "BODY_TOO_LARGE", "请求体超过 11 MiB", None)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ApiError(413, "BODY_TOO_LARGE", "请求体超过 11 MiB", None)
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(raw: bytes) -> Any:
    try:
        body = json.loads(raw.decode("utf-8"))
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # rejects lone surrogates before they reach SQLite
    except (UnicodeError, ValueError, RecursionError):
        raise ApiError(400, "BODY_INVALID_JSON", "请求体不是合法的 UTF-8 JSON", None) from None
    return body


async def _dispatch(state: EmulatorState, op: Operation, handler: Handler, request: Request) -> Response:
    raw = await _read_body(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    now = state.clock()
    terminal_id = ""
    if op.signed:
        query = request.scope.get("query_string", b"").decode("latin-1")
        target = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1") + (f"?{query}" if query else "")
        terminal_id = verify(state.db, state.nonces, op.method, target, headers, raw, now)
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    body: Any = None
    if op.body_media:
        if media_type not in op.body_media:
            raise ApiError(415, "MEDIA_TYPE_UNSUPPORTED", f"Content-Type 应为 {' / '.join(op.body_media)}", "Content-Type")
        body = _parse_json(raw) if media_type == "application/json" else raw
    params = op.coerce_params(dict(request.path_params), dict(request.query_params), headers)
    op.validate_body(body)
    result = handler(Ctx(state, terminal_id, params, body, raw, media_type, headers, now))
    if isinstance(result, Response):
        return result
    status, payload = result
    return _json_response(status, payload)


def _endpoint(state: EmulatorState, by_method: dict[str, tuple[Operation, Handler]]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        entry = by_method.get(request.method)
        if entry is None:
            return _error(ApiError(405, "METHOD_NOT_ALLOWED", "不支持的请求方法", None))
        try:
            return await _dispatch(state, entry[0], entry[1], request)
        except ApiError as exc:
            return _error(exc)
        except ClientDisconnect:  # the terminal went away mid-request (e.g. killed); nothing to answer
            return Response(status_code=499)
        except Exception:
            log.exception("emulator handler %s failed", entry[0].operation_id)
            return JSONResponse({"code": "INTERNAL", "message": "平台内部错误", "field": None}, status_code=500)

    return endpoint


async def _openapi(request: Request) -> Response:
    return Response(contract_text(), media_type="application/json")


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(status, "HTTP_ERROR")
    return JSONResponse({"code": code, "message": "接口不存在" if status == 404 else "请求无法处理", "field": None}, status_code=status)


def create_app(db_path: str = ":memory:", bundles_dir: str | Path | None = None, stage_s: float = 60.0,
               enrollment_codes: frozenset[str] = frozenset({"DEMO-ENROLL"})) -> Starlette:
    """Build the emulator app; ``app.state.emulator`` is the shared ``EmulatorState``."""
    state = EmulatorState(open_db(db_path), Path(bundles_dir) if bundles_dir else None, stage_s, enrollment_codes)
    handlers = _handlers()
    grouped: dict[str, dict[str, tuple[Operation, Handler]]] = {}
    for op in operations():
        grouped.setdefault(op.path, {})[op.method] = (op, handlers[op.operation_id])
    routes = [Route("/openapi.json", _openapi, methods=["GET"])]
    routes += [Route(path, _endpoint(state, by_method), methods=list(by_method)) for path, by_method in grouped.items()]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.emulator = state
    return app
