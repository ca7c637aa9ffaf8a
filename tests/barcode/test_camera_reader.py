"""The camera QR driver: emulated phone screen, recorded video files and still images."""

from __future__ import annotations

import asyncio
from pathlib import Path

import cv2

from drivers.barcode.service import CameraBarcodeReader
from kiosk.terminal.completion import CompletionCode
from sim.devices.barcode.emulator import demo_token, render_qr_frame

from .conftest import make_reader


async def test_shown_code_is_read(camera_reader: CameraBarcodeReader) -> None:
    token = demo_token()
    camera_reader.emulator.show(token, angle=20, noise=6)
    result = await camera_reader.read_code(timeout=3)
    assert result.ok, result.description
    assert result.data.text == token and result.data.source == "camera"


async def test_code_shown_while_waiting_is_read(camera_reader: CameraBarcodeReader) -> None:
    asyncio.get_running_loop().call_later(0.3, camera_reader.emulator.show, "YKM1.shown-later")
    result = await camera_reader.read_code(timeout=3)
    assert result.ok and result.data.text == "YKM1.shown-later"
    assert result.duration_s >= 0.3


async def test_no_code_times_out_within_its_deadline(camera_reader: CameraBarcodeReader) -> None:
    camera_reader.emulator.clear()
    result = await camera_reader.read_code(timeout=0.5)
    assert result.code is CompletionCode.TIMEOUT
    assert 0.45 < result.duration_s < 1.0
    assert camera_reader.frames_decoded > 0  # it really looked at frames meanwhile


async def test_removed_phone_is_not_read_from_an_old_frame(camera_reader: CameraBarcodeReader) -> None:
    camera_reader.emulator.show("YKM1.first")
    assert (await camera_reader.read_code(timeout=3)).ok
    camera_reader.emulator.clear()
    result = await camera_reader.read_code(timeout=0.4)
    assert result.code is CompletionCode.TIMEOUT


async def test_cancel_stops_a_read_with_no_code(camera_reader: CameraBarcodeReader) -> None:
    camera_reader.emulator.clear()
    task = asyncio.create_task(camera_reader.read_code(timeout=10))
    await asyncio.sleep(0.3)
    camera_reader.cancel()
    result = await asyncio.wait_for(task, 1.0)
    assert result.code is CompletionCode.CANCELED


async def test_qr_with_a_control_character_is_not_accepted(camera_reader: CameraBarcodeReader) -> None:
    camera_reader.emulator.show("YKM1.bad\x07bell")
    result = await camera_reader.read_code(timeout=0.6)
    assert result.code is CompletionCode.TIMEOUT
    assert "unreadable" in result.description


async def test_sim_url_shows_its_initial_code() -> None:
    service = make_reader("sim:barcode?code=YKM1.from-url&decoder=wechat")
    await service.open()
    try:
        result = await service.read_code(timeout=3)
        assert result.ok and result.data.text == "YKM1.from-url"
        assert service.capabilities()["decoder"] == "wechat"
    finally:
        await service.close()


async def test_recorded_video_file_as_camera(tmp_path: Path) -> None:
    token = demo_token()
    clip = tmp_path / "phone.mp4"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"mp4v"), 25, (1280, 720))
    for i in range(12):  # the phone comes into view at frame 6
        writer.write(render_qr_frame(token, angle=i * 3) if i >= 6 else render_qr_frame(token, code_px=0, centre=(2.0, 2.0)))
    writer.release()
    service = make_reader(f"camera://{clip}")
    assert (await service.open()).ok
    try:
        result = await service.read_code(timeout=3)
        assert result.ok, result.description
        assert result.data.text == token
    finally:
        await service.close()


async def test_still_image_as_camera(tmp_path: Path) -> None:
    image = tmp_path / "phone.png"
    cv2.imwrite(str(image), render_qr_frame("YKM1.still-image", code_px=200))
    service = make_reader(f"camera://{image}")
    assert (await service.open()).ok
    try:
        result = await service.read_code(timeout=3)
        assert result.ok and result.data.text == "YKM1.still-image"
    finally:
        await service.close()


async def test_missing_camera_is_device_not_ready() -> None:
    service = make_reader("camera:///dev/video-not-here")
    result = await service.open()
    assert result.code is CompletionCode.DEVICE_NOT_READY


def test_both_readers_meet_the_contract() -> None:
    from kiosk.terminal.contracts import BarcodeReader

    assert isinstance(make_reader("sim:barcode"), BarcodeReader)
    serial_sim = make_reader("sim:barcode?via=serial")
    assert isinstance(serial_sim, BarcodeReader)
    serial_sim.emulator.close()  # never opened: release the pty


async def test_probe_is_ok_while_frames_come(camera_reader) -> None:  # type: ignore[no-untyped-def]
    assert camera_reader.probes
    assert (await camera_reader.probe()).ok
