"""XfsServer: the terminal's devices as XFS4IoT services on ws://127.0.0.1:<port>/xfs4iot/v1.0.

Endpoints, as XFS4IoT lays them out: the service publisher at ``/xfs4iot/v1.0`` answers
``ServicePublisher.GetServices`` with one URI per device service, ``/xfs4iot/v1.0/<device>`` (``idcard``,
``printer`` …: the ``[devices.*]`` names). Every connection must carry the token and pass the session
gate, or it is closed at once with a reason: 1008 (policy) for a missing or wrong token, 1013 (try
again later) while a citizen is being served. Only loopback binds are allowed.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from kiosk.errors import ConfigError
from kiosk.terminal.facade import Terminal
from kiosk.xfs import interfaces as X
from kiosk.xfs.connection import CLOSE_GATED, Sender, ServiceConnection
from kiosk.xfs.gate import SessionState, refusal
from kiosk.xfs.messages import BadFrame, MessageType, acknowledge, completion, frame, parse_command
from kiosk.xfs.options import DEFAULT_PORT, is_loopback
from kiosk.xfs.token import token_matches

log = logging.getLogger(__name__)

BASE_PATH = "/xfs4iot/v1.0"
CLOSE_POLICY = 1008
VENDOR = "yukuaiban-kiosk"


def check_loopback(host: str) -> None:
    """Refuse any bind that is not a loopback address (a diagnostics service never faces the network)."""
    if not is_loopback(host):
        raise ConfigError(f"xfs: host {host!r} refused: the XFS4IoT service binds to 127.0.0.1 (or ::1) only")


def _offered_token(ws: ServerConnection) -> str | None:
    request = ws.request
    if request is None:
        return None
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    values = parse_qs(urlsplit(request.path).query).get("token")
    return values[0] if values else None


class XfsServer:
    """The XFS4IoT endpoints over one Terminal. ``start()`` on a running loop, ``close()`` to stop."""

    def __init__(
        self, terminal: Terminal, token: str, state: SessionState, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
        service_version: str = "0.1.0",
    ) -> None:
        check_loopback(host)
        if not token:
            raise ConfigError("xfs: an empty token would let any local process in")
        self.terminal = terminal
        self.token = token
        self.state = state
        self.host = host
        self.port = port
        self.service_version = service_version
        self.services = {d.name: d for cls, d in terminal.devices.items() if cls in X.INTERFACE_OF}
        self._server: Server | None = None

    def refusal(self) -> str:
        return refusal(self.state)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}{BASE_PATH}"

    async def start(self) -> XfsServer:
        self._server = await serve(self._handle, self.host, self.port, max_size=8 * 2**20, ping_interval=20)
        if self.port == 0:  # an ephemeral port (tests): learn which
            self.port = self._server.sockets[0].getsockname()[1]
        log.info("xfs: XFS4IoT service publisher on %s (%d services)", self.url, len(self.services))
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    # ----- connections ----------------------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        peer = ws.remote_address[0] if ws.remote_address else ""
        if not is_loopback(str(peer)):
            await ws.close(CLOSE_POLICY, "loopback clients only")
            return
        if not token_matches(self.token, _offered_token(ws)):
            log.warning("xfs: connection without a valid token refused")
            await ws.close(CLOSE_POLICY, "missing or wrong token: send 'Authorization: Bearer <token>' or ?token=")
            return
        why = self.refusal()
        if why:
            await ws.close(CLOSE_GATED, why)
            return
        path = urlsplit(ws.request.path if ws.request else "").path.rstrip("/")
        if path == BASE_PATH:
            await self._publisher(ws)
            return
        name = path[len(BASE_PATH) + 1 :] if path.startswith(BASE_PATH + "/") else ""
        device = self.services.get(name)
        if device is None:
            await ws.close(CLOSE_POLICY, f"no XFS4IoT service at {path!r}; ask {BASE_PATH} (ServicePublisher.GetServices)")
            return
        await ServiceConnection(ws, device, self.terminal.bus, self.refusal, self.service_version).serve()

    async def _publisher(self, ws: ServerConnection) -> None:
        """The service publisher: ServicePublisher.GetServices lists the device services."""
        send = Sender(ws)
        try:
            async for raw in ws:
                try:
                    command = parse_command(raw)
                except BadFrame as bad:
                    await send(acknowledge(bad.name or "Common.Unknown", bad.request_id, bad.status, bad.reason))
                    continue
                header = command.header
                await send(acknowledge(header.name, header.request_id))
                if header.name != "ServicePublisher.GetServices":
                    await send(completion(header.name, header.request_id, code="unsupportedCommand",
                                          description="the publisher answers ServicePublisher.GetServices"))
                    continue
                services = {"vendorName": VENDOR, "services": [{"serviceURI": f"{self.url}/{name}"} for name in self.services]}
                await send(frame("ServicePublisher.ServiceDetailEvent", MessageType.EVENT, header.request_id, services))
                await send(completion(header.name, header.request_id, payload=services))
        except ConnectionClosed:
            pass


class XfsThread:
    """The server on its own loop thread, for the kiosk process (``[xfs] enabled = true``).

    Device commands are asyncio-safe from any loop (each device's CommandRunner resolves into the
    caller's loop), so the service needs no access to the flow runtime's loop.
    """

    def __init__(self, make_server: Callable[[], XfsServer]) -> None:
        self._make = make_server
        self.loop = asyncio.new_event_loop()
        self.server: XfsServer | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, name="xfs4iot", daemon=True)

    def start(self, timeout_s: float = 10.0) -> XfsServer:
        self._thread.start()
        self.server = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout_s)
        return self.server

    async def _start(self) -> XfsServer:
        return await self._make().start()

    def stop(self, timeout_s: float = 10.0) -> None:
        if self._thread.is_alive():
            if self.server is not None:
                asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(timeout_s)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout_s)

