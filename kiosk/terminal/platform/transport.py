"""Signed requests over one long-lived httpx.AsyncClient: retries, error mapping, link status.

Only idempotent calls are retried (GET, PUT of content-addressed materials, and POSTs that carry an
``Idempotency-Key``), with jittered exponential backoff; each attempt is signed afresh (new nonce).
httpx exceptions never leave this module: they become ``PlatformUnavailable``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.errors import PlatformAuthError, PlatformRejected, PlatformUnavailable
from kiosk.platform.signing import sign_headers
from kiosk.terminal.events import EventBus
from kiosk.terminal.platform.status import LinkState, PlatformStatus, PlatformStatusChanged

log = logging.getLogger(__name__)


def _rejection(response: httpx.Response) -> PlatformRejected:
    try:
        body = response.json()
        code, message, field = str(body["code"]), str(body["message"]), body.get("field")
    except (ValueError, KeyError, TypeError):
        code, message, field = f"HTTP_{response.status_code}", f"平台拒绝了请求（HTTP {response.status_code}）", None
    cls = PlatformAuthError if response.status_code in (401, 403) else PlatformRejected
    return cls(code, message, field, status=response.status_code)


class SignedTransport:
    """Sends signed requests, retries idempotent ones and tracks whether the platform is reachable."""

    def __init__(self, base_url: str, terminal_id: str, key: Ed25519PrivateKey, *, http: httpx.AsyncClient | None = None,
                 bus: EventBus | None = None, timeout_s: float = 10.0, retries: int = 4, backoff_base_s: float = 0.2,
                 backoff_max_s: float = 5.0, clock: Callable[[], float] = time.time) -> None:
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self.key = key
        self._owns_http = http is None
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)))
        self.bus = bus
        self.retries = retries
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.clock = clock
        self._lock = threading.Lock()
        self._status = PlatformStatus(LinkState.UNKNOWN, "尚未连接平台", self.base_url)
        self.on_unregistered: Callable[[], Awaitable[None]] | None = None

    # ----- status -------------------------------------------------------------------------------
    def status(self) -> PlatformStatus:
        return self._status

    def _set_state(self, state: LinkState, description: str) -> None:
        with self._lock:
            old = self._status
            last_ok = time.time() if state is LinkState.ONLINE else old.last_ok
            if old.state is state:
                self._status = PlatformStatus(state, description, self.base_url, old.since, last_ok)
                return
            self._status = new = PlatformStatus(state, description, self.base_url, time.time(), last_ok)
        log.info("platform link %s → %s (%s)", old.state.value, state.value, description)
        if self.bus is not None:
            self.bus.publish(PlatformStatusChanged("platform", old=old, new=new))

    # ----- requests -----------------------------------------------------------------------------
    def backoff(self, attempt: int) -> float:
        """Equal-jitter exponential backoff: half fixed, half random, capped."""
        cap = min(self.backoff_max_s, self.backoff_base_s * (2 ** attempt))
        return cap / 2 + random.uniform(0, cap / 2)

    async def request(self, method: str, path: str, *, json_body: Any = None, content: bytes | None = None, content_type: str | None = None,
                      params: dict[str, Any] | None = None, headers: dict[str, str] | None = None, signed: bool = True,
                      idempotent: bool | None = None, ok: tuple[int, ...] = (200, 201)) -> httpx.Response:
        """One API call; returns the response for a status in ``ok`` (or 304), raises from our tree otherwise."""
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            content_type = "application/json"
        extra = dict(headers or {})
        if content_type:
            extra["Content-Type"] = content_type
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "PUT") or "Idempotency-Key" in extra
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        attempt, reregistered = 0, False
        while True:
            try:
                return await self._once(method, path, content or b"", clean_params, extra, signed, ok)
            except PlatformAuthError as exc:
                if exc.code == "TERMINAL_UNKNOWN" and self.on_unregistered is not None and not reregistered:
                    reregistered = True
                    await self.on_unregistered()
                    continue
                raise
            except PlatformUnavailable:
                if not idempotent or attempt >= self.retries:
                    raise
                delay = self.backoff(attempt)
                attempt += 1
                log.debug("retrying %s %s in %.2f s (attempt %d)", method, path, delay, attempt)
                await asyncio.sleep(delay)

    async def _once(self, method: str, path: str, body: bytes, params: dict[str, Any], headers: dict[str, str], signed: bool,
                    ok: tuple[int, ...]) -> httpx.Response:
        request = self.http.build_request(method, self.base_url + path, content=body, params=params or None, headers=headers)
        if signed:
            target = request.url.raw_path.decode("ascii")
            request.headers.update(sign_headers(self.key, self.terminal_id, method, target, body, now=self.clock()))
        try:
            response = await self.http.send(request)
            await response.aread()
        except httpx.TimeoutException as exc:
            self._set_state(LinkState.OFFLINE, "平台响应超时")
            raise PlatformUnavailable(f"{method} {path}: timeout ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            self._set_state(LinkState.OFFLINE, "无法连接平台")
            raise PlatformUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        status = response.status_code
        if status in ok or status == 304:
            self._set_state(LinkState.ONLINE, "平台连接正常")
            return response
        if status >= 500 or status == 429:
            self._set_state(LinkState.OFFLINE, f"平台暂不可用（HTTP {status}）")
            raise PlatformUnavailable(f"{method} {path}: HTTP {status}")
        rejection = _rejection(response)
        if isinstance(rejection, PlatformAuthError):
            self._set_state(LinkState.AUTH_FAILED, f"平台拒绝终端认证：{rejection.message}")
        else:
            self._set_state(LinkState.ONLINE, "平台连接正常")
        raise rejection

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()
