"""The heartbeat says out_of_service when no identification method works, though no command closed the terminal:
the platform's nearby-terminals list (GET /v1/terminals/nearby) must not send citizens to a terminal that cannot
identify them. It says in_service again once the reader is back, without a restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from kiosk.assembly import assemble
from kiosk.terminal.status import DeviceClass
from sim.config import demo_config


def wait_for(predicate: Callable[[], bool], timeout_s: float = 30.0) -> bool:
    end = time.monotonic() + timeout_s
    while not predicate() and time.monotonic() < end:
        time.sleep(0.2)
    return predicate()


def test_the_heartbeat_follows_what_the_devices_allow(tmp_path: Path) -> None:
    """Only the 二代证 reader (with the face camera) can identify anyone here; its emulator is unplugged for real
    and the supervisor's probe notices."""
    config = demo_config(data_dir=tmp_path)
    devices = {k: v for k, v in config.devices.items() if k not in (DeviceClass.CHIP_CARD_READER, DeviceClass.BARCODE_READER)}
    app = assemble(config.model_copy(update={"devices": devices})).app.start(headless=True)
    agent = app.fleet.agent
    state = lambda: agent.report()["terminal_state"]  # noqa: E731
    try:
        assert wait_for(lambda: state() == "in_service"), state()
        reader = app.runtime.services.terminal.devices[DeviceClass.ID_CARD_READER]
        reader.emulator.unplug()
        assert wait_for(lambda: state() == "out_of_service"), (state(), reader.status())
        assert agent.mode.snapshot.mode == "in_service"  # nobody closed it: the devices did
        reader.emulator.replug()
        assert wait_for(lambda: state() == "in_service"), (state(), reader.status())
    finally:
        app.stop()
