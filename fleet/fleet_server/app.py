"""The ASGI app of one worker: the fleet operations of the contract, /metrics and /healthz.

Per request, as the platform emulator does it: match → read body (≤ server.max_body_mb) → verify the signature
(401) → content type (415) → parameters and JSON body against the contract (400/404/422) → handler; every answer,
errors included, is signed with the platform key over the request's nonce (kiosk.platform.signing.sign_response).
An exception that is not an ``ApiError`` is a bug and answers 500.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed upstream
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fleet_server import catalog, enrol, heartbeat, logs, maintenance, metrics
from fleet_server.auth import verify
from fleet_server.config import FleetConfig
from fleet_server.context import Request
from fleet_server.contract import ApiError, Operation, Policy, fleet_operations, sign_response
from fleet_server.migrate import check_head
from fleet_server.state import FleetState, read_key

log = logging.getLogger(__name__)
Handler = Callable[[Request], Awaitable[tuple[int, dict[str, Any]]]]
HANDLERS: dict[str, Handler] = {"ping": enrol.ping, "registerTerminal": enrol.register, "heartbeat": heartbeat.heartbeat,
                                "currentConfig": catalog.current_config, "uploadLogs": logs.upload_logs}
HOUSEKEEPING_S = 300.0


def _target(request: HttpRequest) -> str:
    query = request.scope.get("query_string", b"").decode("latin-1")
    return request.scope.get("raw_path", request.url.path.encode()).decode("latin-1") + (f"?{query}" if query else "")


def _json(status: int, payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status_code=status, media_type="application/json")


def _signed(state: FleetState, request: HttpRequest, response: Response) -> Response:
    response.headers.update(sign_response(state.platform_key, response.status_code, request.method, _target(request),
                                          request.headers.get("x-nonce", ""), bytes(response.body), state.clock()))
    return response


async def _read_body(request: HttpRequest, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "BODY_TOO_LARGE", "请求体过大", None)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "BODY_TOO_LARGE", "请求体过大", None)
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(raw: bytes) -> Any:
    try:
        body = json.loads(raw.decode("utf-8"))
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # lone surrogates never reach PostgreSQL
    except (UnicodeError, ValueError, RecursionError):
        raise ApiError(400, "BODY_INVALID_JSON", "请求体不是合法的 UTF-8 JSON", None) from None
    return body


async def _dispatch(state: FleetState, op: Operation, handler: Handler, request: HttpRequest) -> Response:
    raw = await _read_body(request, state.config.server.max_body_mb * 2**20)
    headers = {k.lower(): v for k, v in request.headers.items()}
    now = state.clock()
    terminal_id, nonce = "", ""
    if op.signed:
        terminal_id, nonce = await verify(state.pool, state.policy, op.method, _target(request), headers, raw, now)
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    body: Any = None
    if op.body_media:
        if media_type not in op.body_media:
            raise ApiError(415, "MEDIA_TYPE_UNSUPPORTED", f"Content-Type 应为 {' / '.join(op.body_media)}", "Content-Type")
        body = _parse_json(raw) if media_type == "application/json" else raw
    params = op.coerce_params(dict(request.path_params), dict(request.query_params), headers)
    op.validate_body(body)
    status, payload = await handler(Request(state, terminal_id, nonce, params, body, raw, now))
    return _json(status, payload)


def _endpoint(by_method: dict[str, tuple[Operation, Handler]]) -> Callable[[HttpRequest], Awaitable[Response]]:
    async def answer(request: HttpRequest, state: FleetState) -> Response:
        entry = by_method.get(request.method)
        if entry is None:
            return JSONResponse(ApiError(405, "METHOD_NOT_ALLOWED", "不支持的请求方法", None).body(), status_code=405)
        started = time.perf_counter()
        try:
            return await _dispatch(state, entry[0], entry[1], request)
        except ApiError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        except ClientDisconnect:
            return Response(status_code=499)
        except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
            log.exception("fleet %s: database or storage unavailable", entry[0].operation_id)
            return JSONResponse({"code": "UNAVAILABLE", "message": "服务暂不可用", "field": None}, status_code=503)
        except Exception:
            log.exception("fleet handler %s failed", entry[0].operation_id)
            return JSONResponse({"code": "INTERNAL", "message": "服务内部错误", "field": None}, status_code=500)
        finally:
            if entry[0].operation_id == "heartbeat":
                metrics.HEARTBEAT_SECONDS.observe(time.perf_counter() - started)

    async def endpoint(request: HttpRequest) -> Response:
        state: FleetState = request.app.state.fleet
        return _signed(state, request, await answer(request, state))

    return endpoint


async def _metrics(request: HttpRequest) -> Response:
    state: FleetState = request.app.state.fleet
    body = await metrics.render(state, request.app.state.multiproc_dir)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


async def _healthz(request: HttpRequest) -> Response:
    state: FleetState = request.app.state.fleet
    await state.pool.fetchval("SELECT 1")
    return JSONResponse({"status": "ok"})


async def _not_found(request: HttpRequest, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(status, "HTTP_ERROR")
    response = JSONResponse({"code": code, "message": "接口不存在" if status == 404 else "请求无法处理", "field": None}, status_code=status)
    state = getattr(request.app.state, "fleet", None)
    return _signed(state, request, response) if state is not None else response


async def open_state(config: FleetConfig) -> FleetState:
    pool = await asyncpg.create_pool(config.database.dsn, min_size=config.database.pool_min, max_size=config.database.pool_max)
    await check_head(pool)
    return FleetState(config, pool, read_key(config.keys.platform_key_file), read_key(config.keys.operations_key_file),
                      Policy(tuple(config.keys.accept_suites)))


def create_app(config: FleetConfig, multiproc_dir: str | None = None, housekeeping: bool = True) -> Starlette:
    """One worker's app; the pool opens in the lifespan (after a fork, never before)."""
    grouped: dict[str, dict[str, tuple[Operation, Handler]]] = {}
    for op_id, op in fleet_operations().items():
        if op_id in HANDLERS:  # downloadBundle: nginx serves /bundles/ from storage.bundles_dir
            grouped.setdefault(op.path, {})[op.method] = (op, HANDLERS[op_id])

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import asyncio

        app.state.fleet = state = await open_state(config)
        task = asyncio.create_task(_housekeeping(state)) if housekeeping else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
            await state.pool.close()

    routes = [Route("/metrics", _metrics, methods=["GET"]), Route("/healthz", _healthz, methods=["GET"])]
    routes += [Route(path, _endpoint(by_method), methods=list(by_method)) for path, by_method in grouped.items()]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _not_found}, lifespan=lifespan)
    app.state.multiproc_dir = multiproc_dir
    return app


async def _housekeeping(state: FleetState) -> None:
    import asyncio

    while True:
        try:
            await maintenance.run_once(state.pool, state.config, state.clock())
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.exception("housekeeping failed; retrying in %.0f s", HOUSEKEEPING_S)
        await asyncio.sleep(HOUSEKEEPING_S)
