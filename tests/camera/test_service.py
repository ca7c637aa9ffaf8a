"""The camera service on the scene emulator: capture, guidance, timeout, cancel, preview, status."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import AsyncIterator

import cv2
import numpy as np
import pytest

from drivers.camera.capture import FrameGrabber
from drivers.camera.service import CameraService, face_crop
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.contracts import Camera
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass, DeviceState


def make_camera(url: str) -> CameraService:
    service = build_device(DeviceSpec("camera", DeviceClass.CAMERA, DeviceUrl.parse(url), timeout_s=5), EventBus())
    assert isinstance(service, CameraService)
    return service


@pytest.fixture
async def camera() -> AsyncIterator[CameraService]:
    service = make_camera("sim:camera?scene=good")
    assert (await service.open()).ok
    yield service
    await service.close()


def test_service_meets_the_contract() -> None:
    assert isinstance(make_camera("sim:camera"), Camera)


async def test_good_scene_gives_a_face_jpeg(camera: CameraService) -> None:
    result = await camera.capture_face(timeout=3)
    assert result.ok, result.description
    face = result.data
    image = cv2.imdecode(np.frombuffer(face.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[:2] == (face.height, face.width)
    x, y, w, h = face.box
    assert 0 <= x and 0 <= y and x + w <= face.width and y + h <= face.height
    assert w >= 0.15 * 1280  # the face itself, not the whole hall
    assert face.width < 1280 and face.quality["sharpness"] > 40
    assert "jpeg" not in repr(face).lower() or "bytes" in repr(face)
    assert camera.guidance() == "很好，请保持不动"


@pytest.mark.parametrize(
    "scene,guidance",
    [("far", "请靠近一点"), ("none", "请正对屏幕"), ("two", "画面中只能有一人"), ("dark", "请到光线充足处"), ("blurry", "请保持不动")],
)
async def test_bad_scene_times_out_with_its_guidance(camera: CameraService, scene: str, guidance: str) -> None:
    camera.emulator.set_scene(scene)
    result = await camera.capture_face(timeout=0.6)
    assert result.code is CompletionCode.TIMEOUT
    assert result.citizen_message == guidance
    assert camera.guidance() == guidance
    assert 0.55 < result.duration_s < 1.2


async def test_citizen_who_keeps_moving_is_asked_to_keep_still(camera: CameraService) -> None:
    camera.emulator.set_motion(40)  # 40 px per frame, the face is ~300 px wide
    result = await camera.capture_face(timeout=1.0)
    assert result.code is CompletionCode.TIMEOUT
    assert result.citizen_message == "请保持不动"
    camera.emulator.set_motion(0)
    assert (await camera.capture_face(timeout=3)).ok


async def test_guidance_follows_the_citizen_until_capture(camera: CameraService) -> None:
    camera.emulator.set_scene("far")
    task = asyncio.create_task(camera.capture_face(timeout=5))
    seen: set[str] = set()
    for _ in range(150):
        await asyncio.sleep(0.02)
        seen.add(camera.guidance())
        if "请靠近一点" in seen:
            break
    camera.emulator.set_scene("good")  # the citizen steps closer
    result = await task
    assert "请靠近一点" in seen and result.ok


async def test_cancel_stops_capture(camera: CameraService) -> None:
    camera.emulator.set_scene("none")
    task = asyncio.create_task(camera.capture_face(timeout=10))
    await asyncio.sleep(0.2)
    camera.cancel()
    result = await asyncio.wait_for(task, 1.0)
    assert result.code is CompletionCode.CANCELED


async def test_asyncio_cancellation_reaches_the_worker(camera: CameraService) -> None:
    camera.emulator.set_scene("none")
    task = asyncio.create_task(camera.capture_face(timeout=10))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.15)
    camera.emulator.set_scene("good")
    assert (await camera.capture_face(timeout=3)).ok  # the worker is free again


async def test_preview_jpeg_and_check_quality(camera: CameraService) -> None:
    await asyncio.sleep(0.2)
    preview = camera.latest_frame_jpeg()
    assert preview is not None and preview[:2] == b"\xff\xd8"
    camera.emulator.set_scene("two")
    report = await camera.check_quality(timeout=2)
    assert report.ok and report.data.problem == "many_faces"


async def test_capture_writes_nothing_to_disk(camera: CameraService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = set(os.listdir("/tmp"))
    assert (await camera.capture_face(timeout=3)).ok
    assert os.listdir(tmp_path) == []
    assert {name for name in set(os.listdir("/tmp")) - before if name.endswith((".jpg", ".png"))} == set()


async def test_camera_that_stops_delivering_reports_hardware_error_then_recovers(camera: CameraService) -> None:
    emulator = camera.emulator
    grabber = camera.grabber
    assert isinstance(grabber, FrameGrabber)
    grabber.retry_s = 0.05
    emulator.unplug()
    await asyncio.sleep(0.2)
    assert camera.status().state is DeviceState.HARDWARE_ERROR
    result = await camera.capture_face(timeout=1)
    assert result.code is CompletionCode.HARDWARE_ERROR and "No such device" in result.description
    emulator.plug()
    await asyncio.sleep(0.3)
    assert camera.status().state is DeviceState.ONLINE
    assert (await camera.capture_face(timeout=3)).ok


def test_face_crop_stays_inside_the_frame() -> None:
    frame = np.zeros((100, 200, 3), np.uint8)
    crop, box = face_crop(frame, (0, 0, 50, 50))
    assert crop.shape[:2] == (80, 80) and box == (0, 0, 50, 50)
    crop, box = face_crop(frame, (160, 60, 40, 40))
    assert crop.shape[:2] == (64, 64) and box == (24, 24, 40, 40)
