"""The XFS4IoT service inside the kiosk process: started after the flow runtime, stopped before it.

The composition root builds it when ``[xfs] enabled = true``; it serves the runtime's own Terminal on
its own loop thread and reads the runtime's session state (kiosk.xfs.gate.FlowSessionState), so it
closes while a citizen is served.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kiosk.xfs.gate import FlowSessionState
from kiosk.xfs.options import XfsSection
from kiosk.xfs.server import XfsServer, XfsThread
from kiosk.xfs.token import new_token, write_token

log = logging.getLogger(__name__)


class EmbeddedXfs:
    def __init__(self, options: XfsSection, runtime: Any, data_dir: Path, service_version: str = "0.1.0") -> None:
        self.options = options
        self.runtime = runtime  # kiosk.flows.port.FlowRuntime
        self.data_dir = data_dir
        self.service_version = service_version
        self._thread: XfsThread | None = None
        self._written: Path | None = None
        self.server: XfsServer | None = None  # the running server (its url names the bound port)

    def start(self) -> XfsServer:
        """After ``runtime.start()``: the devices are open and the controller exists."""
        token = self.options.token
        if not token:
            token = new_token()
            self._written = write_token(self.data_dir, token)
        terminal = self.runtime.terminal
        state = FlowSessionState(self.runtime)
        opts = self.options
        self._thread = XfsThread(lambda: XfsServer(terminal, token, state, host=opts.host, port=opts.port, service_version=self.service_version))
        self.server = self._thread.start()
        return self.server

    def stop(self) -> None:
        """Before ``runtime.stop()``: connections close, their commands are cancelled."""
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
            self.server = None
        if self._written is not None:
            self._written.unlink(missing_ok=True)
            self._written = None

