"""Camera service: waits for a face that passes the quality checks and hands the platform a JPEG.

    camera = "camera:0"                                    V4L2 index (or camera:///dev/video0)
    camera = "camera:///dev/video0?width=1280&height=720&fourcc=MJPG&detector=haar"
    camera = "sim:camera?scene=good"                       the real driver on emulated scenes

Face frames are personal data: they live in memory only (the latest frame, the capture's JPEG)
and are never written to disk by this driver. A capture needs ``stable_frames`` consecutive
passing frames with the face not moving, so a citizen caught mid-motion is asked to keep still.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import cv2
import numpy as np

from drivers.camera.capture import FrameGrabber, FrameSource, source_for_target, start_grabber
from drivers.camera.options import CameraOptions, FaceOptions
from drivers.camera.quality import GUIDANCE, FaceQualityChecker, QualityReport, QualityThresholds, moved
from kiosk.errors import CommandCanceled, DeviceIOError, DeviceTimeoutError, InvalidDataError
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode
from kiosk.terminal.device import DeviceService
from kiosk.terminal.error_codes import CameraError
from kiosk.terminal.events import EventBus
from kiosk.terminal.media import FaceCapture
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass

log = logging.getLogger(__name__)

CROP_MARGIN = 0.6  # head-and-shoulders: face box grown by 60 % of its size on each side


def encode_jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise InvalidDataError("JPEG encoding failed")
    return buffer.tobytes()


def face_crop(frame: np.ndarray, box: tuple[int, int, int, int], margin: float = CROP_MARGIN) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The face with a margin, and the face box in the crop's coordinates.

    Why a crop: the platform's 人证核验 needs the face, not the hall behind the citizen (less
    personal data about bystanders leaves the terminal).
    """
    x, y, w, h = box
    height, width = frame.shape[:2]
    x0, y0 = max(0, int(x - margin * w)), max(0, int(y - margin * h))
    x1, y1 = min(width, int(x + w + margin * w)), min(height, int(y + h + margin * h))
    return frame[y0:y1, x0:x1].copy(), (x - x0, y - y0, w, h)


class CameraService(DeviceService):
    device_class = DeviceClass.CAMERA
    emulator: Any = None

    def __init__(
        self,
        name: str,
        bus: EventBus,
        source: FrameSource,
        *,
        detector: str = "haar",
        thresholds: QualityThresholds | None = None,
        stable_frames: int = 3,
        jpeg_quality: int = 90,
        **kw: Any,
    ) -> None:
        super().__init__(name, bus, **kw)
        self.source = source
        self.checker = FaceQualityChecker(detector, thresholds)
        self.stable_frames = stable_frames
        self.jpeg_quality = jpeg_quality
        self.grabber: FrameGrabber | None = None
        self._lock = threading.Lock()
        self._last_report: QualityReport | None = None

    def capabilities(self) -> dict[str, Any]:
        return {"detector": self.checker.kind, "stable_frames": self.stable_frames}

    # ----- contract -------------------------------------------------------------------------------
    async def capture_face(self, timeout: float | None = None) -> Completion[FaceCapture]:
        """Wait for a good face; on timeout the completion's citizen message is the last guidance."""
        return await self._execute("capture_face", self._do_capture_face, timeout)

    async def check_quality(self, timeout: float | None = None) -> Completion[QualityReport]:
        """Judge the next frame once (technician CLI, developer panel)."""
        return await self._execute("check_quality", self._do_check_quality, timeout)

    def guidance(self) -> str:
        """What to tell the citizen now (from the last judged frame)."""
        with self._lock:
            report = self._last_report
        return report.guidance if report is not None else GUIDANCE["no_face"]

    def last_report(self) -> QualityReport | None:
        with self._lock:
            return self._last_report

    def latest_frame_jpeg(self) -> bytes | None:
        """The newest frame as JPEG for the on-screen preview (memory only), or None."""
        grabber = self.grabber
        frame = grabber.latest() if grabber is not None else None
        return encode_jpeg(frame.image, 80) if frame is not None else None

    # ----- device ---------------------------------------------------------------------------------
    def _do_open(self, token: CancelToken) -> None:
        self.grabber = start_grabber(self.source, self.name, self.runner)

    def _do_probe(self, token: CancelToken) -> None:
        """The grabber thread is the camera's monitor: it runs and has no fault (no I/O here, no frame decoded)."""
        grabber = self.grabber
        if grabber is None or not grabber.running:
            raise DeviceIOError("camera frame grabber not running")
        if grabber.fault:
            raise DeviceIOError(f"camera gives no frames: {grabber.fault}")

    def _do_close(self) -> None:
        grabber, self.grabber = self.grabber, None
        if grabber is not None:
            grabber.stop()
        with self._lock:
            self._last_report = None

    def _next_frame(self, token: CancelToken, after_seq: int) -> tuple[int, np.ndarray]:
        grabber = self.grabber
        if grabber is None:
            raise DeviceIOError("camera not open")
        while True:
            token.check()
            if grabber.fault:
                raise DeviceIOError(f"camera gives no frames: {grabber.fault}")
            frame = grabber.wait_newer(after_seq, min(0.05, token.remaining()))
            if frame is not None:
                return frame.seq, frame.image

    def _judge(self, image: np.ndarray, full: bool = True) -> QualityReport:
        report = self.checker.assess(image, full=full)
        with self._lock:
            self._last_report = report
        return report

    def _do_check_quality(self, token: CancelToken) -> QualityReport:
        latest = self.grabber.latest() if self.grabber else None
        _, image = self._next_frame(token, latest.seq if latest else 0)
        return self._judge(image)

    def _do_capture_face(self, token: CancelToken) -> FaceCapture | Completion[FaceCapture]:
        latest = self.grabber.latest() if self.grabber else None
        seq = latest.seq if latest else 0
        streak: list[QualityReport] = []
        last: QualityReport | None = None
        try:
            while True:
                seq, image = self._next_frame(token, seq)
                # follow the face between frames; the frame that would complete the streak gets a
                # full scan, so "exactly one face" is checked on the very frame we capture
                report = self._judge(image, full=len(streak) + 1 >= self.stable_frames)
                last = report
                if not report.ok:
                    streak.clear()
                    continue
                if streak and moved(streak[-1], report, self.checker.limits.max_motion):
                    last = QualityReport("moving", report.faces, report.box, report.metrics)
                    with self._lock:
                        self._last_report = last
                    streak = [report]
                    continue
                streak.append(report)
                if len(streak) >= self.stable_frames:
                    return self._capture(image, report)
        except (DeviceTimeoutError, CommandCanceled) as exc:
            if last is None or (isinstance(exc, CommandCanceled) and token.reason != "timeout"):
                raise
            return Completion.failure(
                CompletionCode.TIMEOUT,
                f"no acceptable face before the deadline (last: {last.problem})",
                error_code=CameraError.NO_SUBJECT,
                citizen_message=last.guidance,
                problem=last.problem,
            )
            raise

    def _capture(self, image: np.ndarray, report: QualityReport) -> FaceCapture:
        assert report.box is not None
        crop, box = face_crop(image, report.box)
        jpeg = encode_jpeg(crop, self.jpeg_quality)
        log.info("camera %s: face captured (%s, %d bytes)", self.name, report.metrics, len(jpeg))
        return FaceCapture(jpeg, crop.shape[1], crop.shape[0], box, dict(report.metrics))


# ----- factories (driver_table) ----------------------------------------------------------------
def service_kwargs(spec: DeviceSpec, opts: FaceOptions) -> dict[str, Any]:
    return {
        "detector": opts.detector,
        "stable_frames": opts.stable_frames,
        "jpeg_quality": opts.jpeg_quality,
        "thresholds": QualityThresholds(min_face_ratio=opts.min_face_ratio),
        "default_timeout": spec.timeout_s,
    }


@takes_options(CameraOptions)
def build_camera(spec: DeviceSpec, bus: EventBus) -> CameraService:
    opts = options_for(spec, CameraOptions)
    target = spec.url.target or spec.url.host or "0"
    return CameraService(spec.name, bus, source_for_target(target, opts.source()), **service_kwargs(spec, opts))
