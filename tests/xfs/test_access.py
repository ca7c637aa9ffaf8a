"""Who may use the XFS4IoT service: the token, loopback only, and never while a citizen is being served."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from kiosk.cli.main import main
from kiosk.errors import ConfigError
from kiosk.xfs.gate import CITIZEN_SERVED
from kiosk.xfs.server import XfsServer
from tests.xfs.conftest import TOKEN, Client, DeskState, url


async def _closed_with(uri: str, **kwargs) -> tuple[int | None, str]:
    """Connect and wait for the server to close; the close code and reason it gave."""
    async with connect(uri, open_timeout=5, **kwargs) as ws:
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        return ws.close_code, ws.close_reason or ""


@pytest.mark.parametrize("token", [None, "", "wrong-token"], ids=["none", "empty", "wrong"])
async def test_a_connection_without_the_token_is_closed_with_the_reason(server: XfsServer, token: str | None) -> None:
    code, reason = await _closed_with(url(server, "idcard", token))
    assert code == 1008
    assert "token" in reason


async def test_the_token_in_the_authorization_header_is_accepted(server: XfsServer) -> None:
    async with connect(url(server, "idcard", None), additional_headers={"Authorization": f"Bearer {TOKEN}"}, open_timeout=5) as ws:
        assert (await Client(ws).call("Common.Status", 1))[-1]["header"]["completionCode"] == "success"
    code, _ = await _closed_with(url(server, "idcard", None), additional_headers={"Authorization": "Bearer nope"})
    assert code == 1008


async def test_an_unknown_service_path_is_closed_naming_the_publisher(server: XfsServer) -> None:
    code, reason = await _closed_with(url(server, "speaker"))  # not an XFS4IoT interface here
    assert code == 1008 and "/xfs4iot/v1.0" in reason


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "kiosk.local"])
def test_a_non_loopback_bind_is_refused(terminal, host: str) -> None:
    with pytest.raises(ConfigError, match="127.0.0.1"):
        XfsServer(terminal, TOKEN, DeskState(), host=host)


def test_the_command_refuses_a_non_loopback_host_before_opening_devices(capsys) -> None:
    assert main(["xfs", "serve", "--host", "0.0.0.0", "--port", "0"]) == 1
    assert "127.0.0.1" in capsys.readouterr().err


def test_an_empty_token_is_refused(terminal) -> None:
    with pytest.raises(ConfigError, match="token"):
        XfsServer(terminal, "", DeskState())


async def test_refused_while_a_citizen_is_served(server: XfsServer, desk: DeskState) -> None:
    desk.citizen = True
    code, reason = await _closed_with(url(server, "idcard"))
    assert (code, reason) == (1013, CITIZEN_SERVED)
    code, _ = await _closed_with(url(server))  # the publisher too
    assert code == 1013


async def test_an_open_connection_closes_when_a_citizen_session_starts(server: XfsServer, desk: DeskState) -> None:
    async with connect(url(server, "idcard"), open_timeout=5) as ws:
        client = Client(ws)
        await client.command("CardReader.ReadRawData", 1, {"chip": True}, timeout_ms=0)
        assert [(await client.recv())["header"]["type"] for _ in range(2)] == ["acknowledge", "event"]
        desk.citizen = True
        frames: list[dict] = []
        with pytest.raises(ConnectionClosed):
            while True:
                frames.append(await client.recv(5))
        assert ws.close_code == 1013
        # the waiting read ended canceled (the device is the citizen's again) before the close
        assert [(f["header"]["requestId"], f["header"]["completionCode"]) for f in frames] == [(1, "canceled")]


async def test_allowed_in_maintenance(server: XfsServer, desk: DeskState) -> None:
    desk.technician = True
    desk.citizen = True  # cannot happen in the kiosk (logging in ends the session); the technician decides
    async with connect(url(server, "idcard"), open_timeout=5) as ws:
        assert (await Client(ws).call("Common.Status", 1))[-1]["header"]["completionCode"] == "success"
