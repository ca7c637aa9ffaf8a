"""Fixtures: a Terminal of real drivers on the sim emulators, the XFS4IoT server over it, a WebSocket client.

Every frame the client receives is checked against the published XFS4IoT shapes (shapes.py) before a
test sees it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from kiosk.settings import load_config
from kiosk.terminal.facade import Terminal
from kiosk.xfs.server import XfsServer
from tests.xfs.shapes import check

TOKEN = "test-token-0123456789abcdef"

CONFIG = """
[terminal]
id = "CQ-500112-XFS"
hall = "测试"
district_code = "500112"
district_name = "渝北区"
data_dir = "{data_dir}"

[platform]
url = "embedded:"

[logging]
file = "-"

[devices.idcard]
url = "sim:idcard"
timeout_s = 5

[devices.printer]
url = "sim:printer?presenter=true&take_after_s=0.3"
timeout_s = 10

[devices.barcode]
url = "sim:barcode?via=serial"
timeout_s = 5
"""


@dataclass
class DeskState:
    """The session state the server's gate reads, set by each test (in the kiosk: FlowSessionState)."""

    citizen: bool = False
    technician: bool = False

    def citizen_served(self) -> bool:
        return self.citizen

    def in_maintenance(self) -> bool:
        return self.technician


@dataclass
class Client:
    ws: ClientConnection
    unsolicited: list[dict[str, Any]] = field(default_factory=list)

    async def command(self, name: str, request_id: int, payload: dict[str, Any] | None = None, timeout_ms: int | None = None) -> None:
        header: dict[str, Any] = {"name": name, "requestId": request_id, "type": "command", "version": "2.0"}
        if timeout_ms is not None:
            header["timeout"] = timeout_ms
        await self.ws.send(json.dumps({"header": header, "payload": payload or {}}))

    async def recv_any(self, timeout_s: float = 10.0) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), timeout_s)
        return check(json.loads(raw))

    async def recv(self, timeout_s: float = 10.0) -> dict[str, Any]:
        """The next frame of a request (unsolicited events are kept in ``unsolicited``)."""
        while True:
            message = await self.recv_any(timeout_s)
            if message["header"]["type"] != "unsolicited":
                return message
            self.unsolicited.append(message)

    async def replies(self, request_id: int, timeout_s: float = 15.0) -> list[dict[str, Any]]:
        """Every frame of ``request_id`` up to and including its completion (unsolicited ones kept aside)."""
        got: list[dict[str, Any]] = []
        while True:
            message = await self.recv(timeout_s)
            if message["header"].get("requestId") != request_id:
                raise AssertionError(f"frame of another request while waiting for {request_id}: {message}")
            got.append(message)
            if message["header"]["type"] == "completion" or message["header"].get("status"):
                return got

    async def call(self, name: str, request_id: int, payload: dict[str, Any] | None = None, timeout_ms: int | None = None) -> list[dict[str, Any]]:
        await self.command(name, request_id, payload, timeout_ms)
        return await self.replies(request_id)


@pytest.fixture
def desk() -> DeskState:
    return DeskState()


@pytest.fixture
def terminal_config() -> str:
    """The config text (``{data_dir}`` filled in); a module overrides it for other devices."""
    return CONFIG


@pytest.fixture
async def terminal(tmp_path: Path, terminal_config: str) -> AsyncIterator[Terminal]:
    path = tmp_path / "terminal.toml"
    path.write_text(terminal_config.format(data_dir=tmp_path / "data"), encoding="utf-8")
    term = Terminal(load_config(path))
    opened = await term.start()
    assert all(result.ok for result in opened.values()), {c.value: r.description for c, r in opened.items()}
    yield term
    await term.stop()


@pytest.fixture
async def server(terminal: Terminal, desk: DeskState) -> AsyncIterator[XfsServer]:
    xfs = await XfsServer(terminal, TOKEN, desk, port=0).start()
    yield xfs
    await xfs.close()


def url(server: XfsServer, service: str = "", token: str | None = TOKEN) -> str:
    base = f"{server.url}/{service}" if service else server.url
    return f"{base}?token={token}" if token is not None else base


@pytest.fixture
async def open_client(server: XfsServer) -> AsyncIterator[Any]:
    """``await open_client("idcard")``: a client on that service (the publisher for "")."""
    opened: list[ClientConnection] = []

    async def opener(service: str = "", token: str | None = TOKEN) -> Client:
        ws = await connect(url(server, service, token), open_timeout=5)
        opened.append(ws)
        return Client(ws)

    yield opener
    for ws in opened:
        await ws.close()
