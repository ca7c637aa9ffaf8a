"""Run the emulator: as ``kiosk platform serve`` (foreground) or embedded in a background thread.

Embedded mode (``platform.url = "embedded:"``) is the same app over real HTTP on a free loopback
port, so the terminal's client, signing and outbox run exactly as against a remote platform.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from sim.platform.app import create_app
from sim.platform.context import EmulatorState


def _config(app: Starlette, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", access_log=False, server_header=False)


def serve(host: str = "127.0.0.1", port: int = 8765, db_path: str = ":memory:", bundles_dir: str | None = None, stage_s: float = 60.0) -> None:
    """Foreground server until SIGINT/SIGTERM."""
    uvicorn.Server(_config(create_app(db_path, bundles_dir, stage_s), host, port)).run()


class EmbeddedPlatform:
    """The emulator on a free loopback port in a daemon thread; ``url`` is its base URL."""

    def __init__(self, db_path: str | Path = ":memory:", bundles_dir: str | Path | None = None, stage_s: float = 60.0, host: str = "127.0.0.1") -> None:
        self.app = create_app(str(db_path), bundles_dir, stage_s)
        self._host = host
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    @property
    def state(self) -> EmulatorState:
        return self.app.state.emulator  # type: ignore[no-any-return]

    def start(self, timeout_s: float = 5.0) -> "EmbeddedPlatform":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # uvicorn's handed-in sockets miss asyncio's automatic TCP_NODELAY; without it every answer
        # waits ~40 ms for a delayed ACK (Nagle). Accepted sockets inherit the option on Linux.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self._host, 0))
        port = sock.getsockname()[1]
        self._server = uvicorn.Server(_config(self.app, self._host, port))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, name="platform-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("embedded platform emulator did not start")
            time.sleep(0.005)
        self.url = f"http://{self._host}:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    close = stop  # the PlatformEndpoint contract (kiosk.terminal.platform.endpoint)

    def __enter__(self) -> "EmbeddedPlatform":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
