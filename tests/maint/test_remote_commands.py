"""Remote commands against a running TerminalApp (flows + fleet, sim devices, embedded platform, a fast heartbeat):
what citizens see changes only at a session boundary, and a remote restart never cuts a citizen off."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from kiosk.app import TerminalApp
from kiosk.assembly import assemble
from kiosk.flows import intents as I
from kiosk.flows.viewmodels import AttractVM, HomeVM
from sim.config import demo_config
from sim.platform.terminals import queue_command
from tests.maint.test_flow_maintenance import Screen


@pytest.fixture
def app(tmp_path: Path) -> Iterator[TerminalApp]:
    config = demo_config(data_dir=tmp_path)
    config = config.model_copy(update={"platform": config.platform.model_copy(update={"heartbeat_s": 0.3})})
    terminal_app = assemble(config).app.start(headless=True)
    yield terminal_app
    terminal_app.stop()


def queue(app: TerminalApp, kind: str, args: dict | None = None) -> str:
    services = app.runtime.services
    assert services is not None and services.link.endpoint is not None
    return queue_command(services.link.endpoint.state, app.config.terminal.id, kind, args)


def eventually(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def executed(app: TerminalApp, command_id: str) -> bool:
    assert app.fleet is not None and app.fleet.agent is not None
    return app.fleet.agent.commands.seen(command_id)


def test_remote_restart_waits_for_the_citizen(app: TerminalApp) -> None:
    screen = Screen(app)
    screen.send(I.Touch(), lambda vm: isinstance(vm, HomeVM))  # a citizen is being served
    command = queue(app, "restart")
    eventually(lambda: executed(app, command))
    time.sleep(1.0)  # several heartbeats: the acknowledgement went out, the restart hook has run
    assert not app.exit_requested.is_set()  # not in the middle of the citizen's session
    screen.send(I.Cancel(), lambda vm: isinstance(vm, AttractVM))  # the session ends
    eventually(app.exit_requested.is_set, timeout=5)


def test_remote_restart_when_idle_is_at_once(app: TerminalApp) -> None:
    command = queue(app, "restart")
    eventually(lambda: executed(app, command))
    eventually(app.exit_requested.is_set, timeout=5)


def test_a_closed_terminal_starts_no_session(app: TerminalApp) -> None:
    screen = Screen(app)
    queue(app, "out_of_service", {"reason": "网络割接"})
    eventually(lambda: isinstance(screen.views[-1], AttractVM) and screen.views[-1].out_of_service)  # type: ignore[attr-defined]
    for intent in (I.Touch(), I.Start("00011200400001"), I.Search("hk")):
        app.runtime.send(intent)
    time.sleep(0.5)
    assert app.runtime.controller is not None and app.runtime.controller.session is None
    assert all(isinstance(vm, AttractVM) for vm in screen.views)  # nothing but the closed attract screen
    queue(app, "in_service")
    eventually(lambda: not screen.views[-1].out_of_service)  # type: ignore[attr-defined]
    screen.send(I.Touch(), lambda vm: isinstance(vm, HomeVM))  # open again


def test_remote_reload_waits_for_the_citizen(app: TerminalApp) -> None:
    screen = Screen(app)
    services = app.runtime.services
    assert services is not None and app.fleet is not None and app.fleet.agent is not None
    screen.send(I.Touch(), lambda vm: isinstance(vm, HomeVM))
    catalog = services.catalog
    command = queue(app, "reload_config")
    eventually(lambda: executed(app, command))
    result = app.fleet.agent.commands.store.db().execute("SELECT result FROM fleet_commands WHERE command_id = ?", [command]).fetchone()[0]
    assert "deferred" in result and services.catalog is catalog  # the citizen's catalog is not swapped under them
    screen.send(I.Cancel(), lambda vm: isinstance(vm, AttractVM))
    eventually(lambda: services.catalog is not catalog, timeout=5)  # re-read at the boundary
