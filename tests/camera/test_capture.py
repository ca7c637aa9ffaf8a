"""The grabber keeps only the latest frame, survives a camera that drops out, and reads files."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera.capture import FrameGrabber, VideoCaptureSource, source_for_target, StillImageSource
from kiosk.errors import DeviceUnavailableError


class CountingSource:
    """Frames numbered in their first pixel, produced at ``fps``; ``fail_between`` simulates an unplug."""

    def __init__(self, fps: float = 200.0) -> None:
        self.fps = fps
        self.produced = 0
        self.opens = 0
        self.unplugged = threading.Event()

    def open(self) -> None:
        if self.unplugged.is_set():
            raise OSError("no such device")
        self.opens += 1

    def read(self) -> np.ndarray | None:
        time.sleep(1.0 / self.fps)
        if self.unplugged.is_set():
            raise OSError("select timeout")
        self.produced += 1
        frame = np.zeros((4, 4, 3), np.uint32)
        frame[0, 0, 0] = self.produced
        return frame

    def close(self) -> None:
        pass


def test_slow_consumer_gets_the_newest_frame_and_old_ones_are_dropped() -> None:
    source = CountingSource(fps=200)
    grabber = FrameGrabber(source, "t")
    grabber.start()
    try:
        seen = 0
        numbers = []
        for _ in range(5):
            time.sleep(0.1)  # analysis slower than the camera
            frame = grabber.wait_newer(seen, 1.0)
            assert frame is not None
            seen = frame.seq
            numbers.append(int(frame.image[0, 0, 0]))
            assert source.produced - numbers[-1] <= 8  # "now", not a queued old frame (a queue would lag ~20 per round)
        assert all(b - a >= 10 for a, b in zip(numbers, numbers[1:]))  # frames in between were skipped
        assert grabber.frames_dropped > 20
    finally:
        grabber.stop()


def test_wait_newer_times_out_without_new_frames() -> None:
    source = CountingSource(fps=5)
    grabber = FrameGrabber(source, "t")
    grabber.start()
    try:
        first = grabber.wait_newer(0, 2.0)
        assert first is not None
        started = time.monotonic()
        assert grabber.wait_newer(first.seq, 0.1) is None
        assert time.monotonic() - started < 0.3
    finally:
        grabber.stop()


def test_unplug_is_reported_and_frames_resume_after_replug() -> None:
    source = CountingSource(fps=100)
    events: list[str] = []
    grabber = FrameGrabber(source, "t", on_fault=lambda why: events.append(f"fault:{why}"), on_recover=lambda: events.append("recover"), retry_s=0.05)
    grabber.start()
    try:
        assert grabber.wait_newer(0, 1.0) is not None
        source.unplugged.set()
        deadline = time.monotonic() + 1.0
        while not grabber.fault and time.monotonic() < deadline:
            time.sleep(0.01)
        assert grabber.fault and grabber.latest() is None  # no stale frame served while unplugged
        source.unplugged.clear()
        frame = grabber.wait_newer(0, 1.0)
        assert frame is not None and not grabber.fault
        assert events[0].startswith("fault:") and events[-1] == "recover" and source.opens >= 2
    finally:
        grabber.stop()


def test_video_file_is_replayed_at_its_frame_rate_and_looped(tmp_path: Path) -> None:
    clip = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), 50, (160, 120))
    for i in range(5):
        writer.write(np.full((120, 160, 3), i * 50, np.uint8))
    writer.release()
    source = source_for_target(str(clip), {})
    assert isinstance(source, VideoCaptureSource)
    source.open()
    try:
        started = time.monotonic()
        levels = [int(source.read().mean()) for _ in range(10)]  # type: ignore[union-attr]
        elapsed = time.monotonic() - started
    finally:
        source.close()
    assert levels[:5] == pytest.approx([0, 50, 100, 150, 200], abs=6)
    assert levels[5:] == pytest.approx(levels[:5], abs=6)  # looped
    assert elapsed >= 0.15  # 10 frames at 50 fps ≈ 0.2 s, not as fast as the disk allows


def test_idle_grabber_reads_the_camera_but_decodes_only_wanted_frames(tmp_path: Path) -> None:
    clip = tmp_path / "idle.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), 50, (160, 120))
    for i in range(10):
        writer.write(np.full((120, 160, 3), i * 20, np.uint8))
    writer.release()
    grabber = FrameGrabber(VideoCaptureSource(str(clip)), "t", want_s=0.3)
    grabber.start()
    try:
        assert grabber.wait_newer(0, 2.0) is not None  # decoded while wanted
        time.sleep(0.8)  # nobody asks: the want runs out
        decoded, skipped = grabber.frames_grabbed, grabber.frames_undecoded
        time.sleep(0.5)
        assert grabber.frames_grabbed == decoded  # nothing decoded while idle ...
        assert grabber.frames_undecoded >= skipped + 10  # ... but frames kept coming off the camera (50 fps)
        assert grabber.latest() is None  # and no old frame is kept as if it were "now"
        frame = grabber.wait_newer(0, 1.0)
        assert frame is not None and time.monotonic() - frame.at < 0.2 and grabber.frames_grabbed > decoded
    finally:
        grabber.stop()


def test_still_image_and_missing_targets(tmp_path: Path) -> None:
    image = tmp_path / "x.png"
    cv2.imwrite(str(image), np.full((10, 10, 3), 77, np.uint8))
    source = source_for_target(str(image), {"fps": "100"})
    assert isinstance(source, StillImageSource)
    source.open()
    assert int(source.read().mean()) == 77  # type: ignore[union-attr]
    with pytest.raises(DeviceUnavailableError):
        source_for_target(str(tmp_path / "missing.png"), {}).open()
    with pytest.raises(DeviceUnavailableError):
        source_for_target("/dev/video-not-here", {}).open()
