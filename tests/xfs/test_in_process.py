"""In the kiosk process: the service reads the real FlowRuntime's session state (kiosk.xfs.gate.FlowSessionState).

The whole demo terminal is assembled the way ``kiosk run`` does (kiosk.assembly); the service is started
as the composition root starts it with ``[xfs] enabled = true`` (EmbeddedXfs: its own loop thread over
the runtime's Terminal, a token file in the data dir).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from kiosk.assembly import assemble
from kiosk.flows import intents as I
from kiosk.xfs.embedded import EmbeddedXfs
from kiosk.xfs.options import XfsSection
from sim.config import demo_config
from tests.xfs.conftest import Client


def _wait(predicate, timeout_s: float = 20.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


async def _status_or_close(uri: str) -> tuple[str, int | None]:
    """("success", None) when Common.Status answers; ("closed", code) when the server closes instead."""
    async with connect(uri, open_timeout=5) as ws:
        client = Client(ws)
        try:
            frames = await client.call("Common.Status", 1)
        except ConnectionClosed:
            return "closed", ws.close_code
        return frames[-1]["header"]["completionCode"], None


def test_the_service_closes_while_the_kiosk_serves_a_citizen(tmp_path: Path) -> None:
    """Configured as a terminal would be (``[xfs] enabled = true``): the composition root builds the service and
    TerminalApp starts it after the flow runtime."""
    config = demo_config(data_dir=tmp_path)
    app = assemble(config.model_copy(update={"xfs": XfsSection(enabled=True, port=0)})).app.start(headless=True)
    runtime, xfs = app.runtime, app.xfs
    assert isinstance(xfs, EmbeddedXfs) and xfs.server is not None
    try:
        server = xfs.server
        token = (tmp_path / "xfs.token").read_text(encoding="ascii").strip()
        uri = f"{server.url}/idcard?token={token}"
        assert asyncio.run(_status_or_close(uri)) == ("success", None)  # attract screen: nobody served

        runtime.send(I.Touch())  # a citizen touches the attract screen: a session starts
        assert _wait(lambda: runtime.controller is not None and runtime.controller.session is not None)
        assert asyncio.run(_status_or_close(uri)) == ("closed", 1013)

        runtime.send(I.Cancel())  # 退出: the session ends
        assert _wait(lambda: runtime.controller.session is None)
        assert asyncio.run(_status_or_close(uri)) == ("success", None)
    finally:
        app.stop()  # stops the service before the runtime
    assert not (tmp_path / "xfs.token").exists() and xfs.server is None
