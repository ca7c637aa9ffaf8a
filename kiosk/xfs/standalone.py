"""``kiosk xfs serve`` for a stopped kiosk: open the Terminal, publish it over XFS4IoT until stopped.

The command owns the devices here (a running kiosk holds their ports, so this cannot run beside it);
no flow runs, so no citizen can be served and the gate is ``StoppedKiosk``. In a running kiosk the
composition root starts the service instead (docs/xfs.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from pathlib import Path

from kiosk.settings.model import TerminalConfig
from kiosk.terminal.facade import Terminal
from kiosk.xfs.gate import StoppedKiosk
from kiosk.xfs.server import XfsServer
from kiosk.xfs.token import new_token, write_token

log = logging.getLogger(__name__)


async def serve_standalone(
    config: TerminalConfig, *, host: str, port: int, token: str = "", token_dir: Path | None = None,
    ready: Callable[[XfsServer, Path | None], None] | None = None, stop: asyncio.Event | None = None,
) -> None:
    """Open every configured device, serve until ``stop`` is set (or SIGINT/SIGTERM), close them."""
    written: Path | None = None
    if not token:
        token = new_token()
        written = write_token(token_dir or config.terminal.data_path(), token)
    terminal = Terminal(config)
    await terminal.start()
    server = XfsServer(terminal, token, StoppedKiosk(), host=host, port=port)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await server.start()
        if ready is not None:
            ready(server, written)
        await stop.wait()
    finally:
        await server.close()
        await terminal.stop()
        if written is not None:
            written.unlink(missing_ok=True)  # the token dies with this start
