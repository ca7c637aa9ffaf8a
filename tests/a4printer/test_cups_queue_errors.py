"""Missing queues and servers, and the pure mapping of CUPS answers to completions."""

from __future__ import annotations

import os

import pytest

from drivers.a4printer.protocol import base_reason, classify_lp_error, fault_from_printer, parse_lp_output
from kiosk.terminal.completion import CompletionCode, RecoveryAction
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import build_device
from kiosk.terminal.status import DeviceState
from sim.devices.a4printer.cupsd import PrivateCupsd, free_port

from .conftest import a4_spec

pytestmark = pytest.mark.system  # starts its own cupsd


@pytest.fixture(scope="module")
def cupsd():
    server = PrivateCupsd(queue="office").start()
    yield server
    server.stop()


async def test_cups_url_prints_on_a_named_queue(cupsd) -> None:
    device = build_device(a4_spec(f"cups:office?server={cupsd.server}"), EventBus())
    assert (await device.open()).ok
    done = await device.print_pdf(b"%PDF-1.4\n%%EOF\n", "minimal")
    await device.close()
    assert done.ok, done.description
    assert cupsd.jobs()[-1].read_bytes() == b"%PDF-1.4\n%%EOF\n"


async def test_missing_queue_is_device_not_ready(cupsd) -> None:
    device = build_device(a4_spec(f"cups:nosuchqueue?server={cupsd.server}"), EventBus())
    opened = await device.open()
    await device.close()
    assert opened.code is CompletionCode.DEVICE_NOT_READY
    assert "does not exist" in opened.description


async def test_server_down_is_device_not_ready() -> None:
    device = build_device(a4_spec(f"cups:office?server=127.0.0.1:{free_port()}"), EventBus())
    opened = await device.open()
    await device.close()
    assert opened.code is CompletionCode.DEVICE_NOT_READY
    assert "unreachable" in opened.description


def test_fault_mapping() -> None:
    assert base_reason("media-jam-error") == ("media-jam", "error")
    assert fault_from_printer(3, ["none"], "") is None
    assert fault_from_printer(3, ["media-low-warning"], "") is None
    jam = fault_from_printer(5, ["media-jam-error", "paused"], "jammed in tray 2")
    assert jam is not None and jam.action is RecoveryAction.CLEAR and jam.state is DeviceState.USER_ERROR
    assert "jammed in tray 2" in jam.description
    paused = fault_from_printer(5, ["paused"], "")
    assert paused is not None and paused.code is CompletionCode.DEVICE_NOT_READY
    odd = fault_from_printer(4, ["fuser-over-temp-error"], "")
    assert odd is not None and odd.action is RecoveryAction.MAINTENANCE


def test_lp_output_parsing() -> None:
    assert parse_lp_output("request id is kiosk-a4-12 (1 file(s))\n") == 12
    with pytest.raises(ValueError):
        parse_lp_output("")
    code, _, text = classify_lp_error('lp: Destination "x" is not accepting jobs.\n')
    assert code is CompletionCode.DEVICE_NOT_READY and "not accepting" in text


async def test_aborted_job_is_a_hardware_error_with_the_printer_message() -> None:
    with PrivateCupsd(queue="abort", error_policy="abort-job") as server:
        server.set_fault("media-jam-error")
        device = build_device(a4_spec(f"cups:abort?server={server.server}"), EventBus())
        assert (await device.open()).ok
        done = await device.print_pdf(b"%PDF-1.4\n%%EOF\n", "minimal")
        await device.close()
        tree, pid = server.root, server._proc.pid if server._proc else None
    assert not tree.exists()  # stop() removed the private ServerRoot, spool and output
    assert pid is not None and not os.path.exists(f"/proc/{pid}")
    assert done.code is CompletionCode.HARDWARE_ERROR
    assert done.data is not None and done.data.state == "aborted"
    assert "media-jam-error" in done.description
