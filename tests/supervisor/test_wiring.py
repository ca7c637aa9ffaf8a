"""The composition root attaches the supervisor; opening the flow services starts it (and every driver's
poller), closing them awaits its stop before the devices close."""

from __future__ import annotations

from pathlib import Path

from drivers.idcard.service import IdCardService
from kiosk.assembly import assemble
from sim.config import demo_config


async def test_the_assembled_terminal_is_supervised_from_open_to_close(tmp_path: Path) -> None:
    assembly = assemble(demo_config(data_dir=tmp_path))
    supervisor = assembly.terminal.supervisor
    assert supervisor is not None and not supervisor.running  # built, nothing started
    idcard = assembly.terminal.idcard
    assert isinstance(idcard, IdCardService) and not idcard.monitoring
    await assembly.services.start_devices()
    try:
        assert supervisor.running
        assert idcard.monitoring  # the supervisor started the reader's poller
    finally:
        await assembly.services.aclose()
    assert not supervisor.running
    assert not idcard.monitoring
