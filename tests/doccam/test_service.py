"""The real service on the emulator and on a video file: capture, preview, guidance, timeout, cancel, faults."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest

from drivers.doccam.detect import MSG_DARK, MSG_PLACE
from kiosk.errors import ConfigError
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.contracts import DocumentCamera
from kiosk.terminal.events import EventBus, MediaInserted
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass, DeviceState
from sim.devices.doccam.scenes import make_scene, write_video
from tests.doccam.conftest import sim_spec
from tests.doccam.test_detect import corner_error


async def test_capture_waits_for_the_still_page(doccam) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(doccam, DocumentCamera)
    scene = doccam.emulator.place("a4", angle_deg=-7, seed=3)
    result = await doccam.capture_page(10)
    assert result.ok, result.description
    page = result.data
    assert page.mime == "image/jpeg" and (page.width, page.height) == (2480, 3508) and len(page.data) <= 400_000
    shown = doccam.emulator.frame_index(page.detail["source_frame"])
    assert shown >= scene.still_from  # the captured frame is a still one, not one of the sliding ones
    assert corner_error(np.array(page.detail["corners"], np.float32), scene.final_corners) < 0.02
    assert page.detail["frame_size"] == (640, 360)


async def test_preview_and_outline_for_the_ui(doccam) -> None:  # type: ignore[no-untyped-def]
    scene = doccam.emulator.place("a4", frames=8, moving=2, seed=5)
    preview = doccam.latest_frame_jpeg()
    assert preview is not None and preview[:2] == b"\xff\xd8"
    outline, deadline = None, time.monotonic() + 5
    while time.monotonic() < deadline:  # the page slides in, then rests: wait for the outline to settle on it
        await asyncio.sleep(0.05)
        outline = doccam.latest_outline()
        if outline is not None and corner_error(np.array(outline) * [640, 360], scene.final_corners) < 0.02:
            break
    assert outline is not None and len(outline) == 4
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in outline)
    pixels = np.array(doccam.latest_outline(normalized=False), np.float32)
    assert corner_error(pixels, scene.final_corners) < 0.02
    assert np.allclose(np.array(outline) * [640, 360], pixels, atol=1e-3)
    doccam.emulator.clear()
    await asyncio.sleep(0.4)
    assert doccam.latest_outline() is None


async def test_media_inserted_when_a_page_appears(bus: EventBus, doccam) -> None:  # type: ignore[no-untyped-def]
    seen: list[MediaInserted] = []
    bus.subscribe(seen.append, (MediaInserted,))
    doccam.emulator.place("a4", frames=6, moving=1)
    deadline = time.monotonic() + 3
    while not seen and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert seen and seen[0].media == "page"


async def test_timeout_when_no_page_says_where_to_put_it(doccam) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    result = await doccam.capture_page(1.0)
    assert result.code is CompletionCode.TIMEOUT
    assert result.citizen_message == MSG_PLACE
    assert time.monotonic() - started < 2.0


async def test_dim_light_is_reported(doccam) -> None:  # type: ignore[no-untyped-def]
    doccam.emulator.place("a4", frames=4, moving=0, exposure=0.2)
    result = await doccam.capture_page(2.0)
    assert result.code is CompletionCode.TIMEOUT and result.citizen_message == MSG_DARK


async def test_cancel_stops_a_waiting_capture(doccam) -> None:  # type: ignore[no-untyped-def]
    task = asyncio.create_task(doccam.capture_page(20))
    await asyncio.sleep(0.4)
    started = time.monotonic()
    assert doccam.cancel("citizen left")
    result = await asyncio.wait_for(task, 2.0)
    assert result.code is CompletionCode.CANCELED
    assert time.monotonic() - started < 1.0
    doccam.emulator.place("card", frames=8, moving=2)  # the device still works after a cancel
    again = await doccam.capture_page(10, mode="id_front")
    assert again.ok and (again.data.width, again.data.height) == (1011, 638)


async def test_unknown_mode_is_unsupported(doccam) -> None:  # type: ignore[no-untyped-def]
    result = await doccam.capture_page(1, mode="passport")
    assert result.code is CompletionCode.UNSUPPORTED


async def test_unplugged_camera_is_a_hardware_error_until_plugged_back(doccam) -> None:  # type: ignore[no-untyped-def]
    doccam.emulator.unplug()
    result = await doccam.capture_page(3)
    assert result.code is CompletionCode.HARDWARE_ERROR
    assert doccam.status().state is DeviceState.HARDWARE_ERROR
    doccam.emulator.unplug(False)
    doccam.emulator.place("a4", frames=6, moving=1)
    deadline = time.monotonic() + 3
    while doccam.status().state is not DeviceState.ONLINE and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert doccam.status().state is DeviceState.ONLINE
    assert (await doccam.capture_page(10)).ok


def test_bad_options_are_a_config_error(bus: EventBus) -> None:
    with pytest.raises(ConfigError, match="output"):
        build_device(sim_spec(output="tiff"), bus)
    with pytest.raises(ConfigError, match="quality: unknown option"):
        build_device(sim_spec(quality=90), bus)


async def test_pdf_output_option(bus: EventBus) -> None:
    device = build_device(sim_spec("scene=a4&width=640&height=360&fps=30&frames=16", output="pdf", max_kb=300), bus)
    assert (await device.open()).ok
    try:
        result = await device.capture_page(10)  # type: ignore[attr-defined]
    finally:
        await device.close()
    assert result.ok and result.data.mime == "application/pdf"
    assert result.data.data.startswith(b"%PDF") and len(result.data.data) <= 300_000


async def test_video_file_as_camera(tmp_path: Path, bus: EventBus) -> None:
    scene = make_scene("a4", width=640, height=360, frames=20, moving=8, angle_deg=12, seed=9, fps=30)
    path = tmp_path / "desk.mp4"
    write_video(scene, str(path))
    spec = DeviceSpec("doccam", DeviceClass.DOCUMENT_CAMERA, DeviceUrl.parse(f"file://{path}?loop=0"), timeout_s=10)
    device = build_device(spec, bus)
    assert (await device.open()).ok
    try:
        result = await device.capture_page(5)  # type: ignore[attr-defined]
    finally:
        await device.close()
    assert result.ok, result.description
    assert corner_error(np.array(result.data.detail["corners"], np.float32), scene.final_corners) < 0.02


async def test_missing_camera_is_not_ready(bus: EventBus, tmp_path: Path) -> None:
    spec = DeviceSpec("doccam", DeviceClass.DOCUMENT_CAMERA, DeviceUrl.parse(f"file://{tmp_path}/none.mp4"), timeout_s=5)
    device = build_device(spec, bus)
    opened = await device.open()
    await device.close()
    assert opened.code is CompletionCode.DEVICE_NOT_READY


async def test_embedded_default_config_runs_the_emulated_doccam(bus: EventBus) -> None:
    from sim.config import demo_config

    entry = demo_config().devices[DeviceClass.DOCUMENT_CAMERA]
    spec = DeviceSpec("doccam", DeviceClass.DOCUMENT_CAMERA, DeviceUrl.parse(entry.url), timeout_s=entry.timeout_s, options=dict(entry.options))
    device = build_device(spec, bus)
    assert isinstance(device, DocumentCamera) and device.emulator is not None
    assert device.capabilities()["modes"] == ["id_back", "id_front", "page"]


def test_example_config_section_is_valid() -> None:
    from pathlib import Path as _Path

    from drivers.doccam.service import DoccamOptions
    from kiosk.settings.loader import load_config

    example = _Path(__file__).resolve().parents[2] / "config" / "terminal.example.toml"
    entry = load_config(example).devices[DeviceClass.DOCUMENT_CAMERA]
    assert DeviceUrl.parse(entry.url).scheme == "uvc"
    assert DoccamOptions.from_mapping(dict(entry.options)).max_bytes == 400_000


async def test_initial_scene_is_drawn_off_the_open_path_and_a_later_clear_wins(bus: EventBus) -> None:
    device = build_device(sim_spec("scene=a4&width=640&height=360&fps=30&frames=8"), bus)
    started = time.monotonic()
    assert (await device.open()).ok
    try:
        assert time.monotonic() - started < 1.0
        device.emulator.clear()  # the technician clears the desk before the initial scene is ready
        await asyncio.sleep(1.5)
        assert device.emulator.scene.kind == "empty"
        assert device.latest_outline() is None  # type: ignore[attr-defined]
    finally:
        await device.close()
