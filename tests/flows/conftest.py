"""Flow fixtures: one Simulator (sim devices + embedded platform) on a background event loop.

Why a loop thread and not an async fixture: the devices, platform link and outbox worker are
opened once for the whole module (opening them per test would dominate the suite's time), while
each test stays a plain function calling ``harness.call(...)``.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator, TypeVar

import pytest

from sim.simulate import Simulator
from kiosk.settings.loader import parse_config
from sim.config import DEMO_CONFIG
from kiosk.settings.model import TerminalConfig

T = TypeVar("T")


def config_for(data_dir: Path, drop: tuple[str, ...] = ()) -> TerminalConfig:
    """The embedded default config with a private data dir (and optionally fewer devices)."""
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace('district_name = "渝北区"', f'district_name = "渝北区"\ndata_dir = "{data_dir}"')
    config = parse_config(text, "test")
    if drop:
        config = config.model_copy(update={"devices": {k: v for k, v in config.devices.items() if k.value not in drop}})
    return config


class Harness:
    def __init__(self, config: TerminalConfig) -> None:
        self.lines: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="flows-test-loop", daemon=True)
        self.thread.start()
        self.sim: Simulator = self.call(lambda: Simulator.open(config, say=self.lines.append))

    def call(self, factory: Callable[[], Awaitable[T]], timeout: float = 120.0) -> T:
        """Run on the harness loop; a run that overstays is cancelled so it cannot overlap the next test's."""
        future = asyncio.run_coroutine_threadsafe(factory(), self.loop)  # type: ignore[arg-type]
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def close(self) -> None:
        self.call(self.sim.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def platform_db(self) -> Any:
        return self.sim.services.link.endpoint.state.db


@pytest.fixture(scope="package")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    h = Harness(config_for(tmp_path_factory.mktemp("flows-data")))
    yield h
    h.close()
