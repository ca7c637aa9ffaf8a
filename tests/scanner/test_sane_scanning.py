"""The SANE driver against libsane's test backend: ADF batches, faults, grey/colour, dpi."""

from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image

from kiosk.terminal.completion import CompletionCode, RecoveryAction
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import build_device
from kiosk.terminal.status import DeviceState

from .conftest import scanner_spec


def decode(page) -> Image.Image:  # type: ignore[no-untyped-def]
    image = Image.open(io.BytesIO(page.data))
    assert image.format == "JPEG"
    return image


async def test_adf_returns_ten_pages_then_reports_an_empty_feeder(sim_scanner) -> None:
    done = await sim_scanner.scan(source="adf", mode="gray", dpi=50)
    assert done.ok, done.description
    assert len(done.data) == 10
    assert done.detail["end"] == "feeder_empty"
    assert [p.detail["page"] for p in done.data] == list(range(1, 11))
    assert all(decode(p).size == (p.width, p.height) for p in done.data)

    sim_scanner.emulator.empty_feeder()
    empty = await sim_scanner.scan(source="adf", mode="gray", dpi=50)
    assert empty.code is CompletionCode.NO_MEDIA
    assert empty.action is RecoveryAction.CLEAR
    assert "feeder empty" in empty.description
    assert "进纸器" in empty.citizen_message

    sim_scanner.emulator.load_feeder(None)
    reloaded = await sim_scanner.scan(source="adf", mode="gray", dpi=50, max_pages=3)
    assert reloaded.ok and len(reloaded.data) == 3
    assert reloaded.detail["end"] == "max_pages"


async def test_a_loaded_feeder_stays_empty_after_its_sheets_until_reloaded() -> None:
    device = build_device(scanner_spec("sim:scanner?feeder=10"), EventBus())
    assert (await device.open()).ok
    try:
        batch = await device.scan(source="adf", mode="gray", dpi=50)
        assert batch.ok and len(batch.data) == 10 and batch.detail["end"] == "feeder_empty"
        empty = await device.scan(source="adf", mode="gray", dpi=50)
        assert empty.code is CompletionCode.NO_MEDIA and empty.action is RecoveryAction.CLEAR
        device.emulator.load_feeder(4)
        four = await device.scan(source="adf", mode="gray", dpi=50)
        assert four.ok and len(four.data) == 4
    finally:
        await device.close()


async def test_a_jam_mid_batch_is_a_completion_with_the_pages_so_far(sim_scanner) -> None:
    sim_scanner.emulator.jam_at(4)
    done = await sim_scanner.scan(source="adf", mode="gray", dpi=50)
    assert done.code is CompletionCode.HARDWARE_ERROR
    assert done.action is RecoveryAction.CLEAR
    assert "paper jam" in done.description
    assert done.detail["pages_scanned"] == 3 and len(done.data) == 3
    assert done.detail["sane_status"] == "JAMMED"
    assert sim_scanner.status().state is DeviceState.USER_ERROR

    again = await sim_scanner.scan(source="adf", mode="gray", dpi=50, max_pages=2)
    assert again.ok, again.description
    assert sim_scanner.status().state is DeviceState.ONLINE


async def test_cover_open_is_a_completion(sim_scanner) -> None:
    sim_scanner.emulator.set_cover_open(True)
    done = await sim_scanner.scan(source="flatbed", dpi=50)
    assert done.code is CompletionCode.USER_ERROR
    assert done.action is RecoveryAction.CLEAR
    assert "cover open" in done.description
    assert "盖板" in done.citizen_message
    sim_scanner.emulator.set_cover_open(False)
    assert (await sim_scanner.scan(source="flatbed", dpi=50)).ok


async def test_io_error_asks_for_a_reset(sim_scanner) -> None:
    sim_scanner.emulator.fail_once("io_error")
    done = await sim_scanner.scan(dpi=50)
    assert done.code is CompletionCode.HARDWARE_ERROR and done.action is RecoveryAction.RESET
    assert (await sim_scanner.scan(dpi=50)).ok


async def test_grey_and_colour(sim_scanner) -> None:
    grey = await sim_scanner.scan(mode="gray", dpi=50)
    colour = await sim_scanner.scan(mode="color", dpi=50)
    assert grey.ok and colour.ok
    assert decode(grey.data[0]).mode == "L" and grey.data[0].detail["mode"] == "gray"
    rgb = np.asarray(decode(colour.data[0]).convert("RGB")).astype(int)
    assert colour.data[0].detail["mode"] == "color"
    spread = np.abs(rgb[..., 0] - rgb[..., 1]) + np.abs(rgb[..., 1] - rgb[..., 2])
    assert (spread > 60).mean() > 0.05  # the colour pattern really has colour


async def test_dpi_is_honoured_and_recorded(sim_scanner) -> None:
    low = await sim_scanner.scan(mode="gray", dpi=100)
    high = await sim_scanner.scan(mode="gray", dpi=200)
    assert low.ok and high.ok
    a, b = low.data[0], high.data[0]
    assert (a.dpi, b.dpi) == (100, 200)
    assert abs(b.width - 2 * a.width) <= 2 and abs(b.height - 2 * a.height) <= 2
    width_mm = low.detail["area_mm"][0]
    assert abs(a.width - width_mm / 25.4 * 100) <= 2
    assert decode(b).info["dpi"] == (200, 200)


async def test_unsupported_mode_is_a_completion(sim_scanner) -> None:
    done = await sim_scanner.scan(mode="lineart", dpi=50)
    assert done.code is CompletionCode.UNSUPPORTED
    assert sim_scanner.capabilities()["adf"] is True


async def test_a_slow_page_is_stopped_at_the_deadline_and_the_scanner_stays_usable(sim_scanner) -> None:
    sim_scanner.emulator.set_slow(True)
    started = time.monotonic()
    done = await sim_scanner.scan(1.0, mode="color", dpi=300)
    assert done.code is CompletionCode.TIMEOUT
    assert time.monotonic() - started < 1.5
    sim_scanner.emulator.set_slow(False)
    again = await sim_scanner.scan(mode="gray", dpi=50)
    assert again.ok, again.description
    assert sim_scanner.status().state is DeviceState.ONLINE
