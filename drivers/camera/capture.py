"""Frame sources and the latest-frame grabber shared by the face camera and the QR camera.

Why a grabber thread: a camera produces frames whether or not we look at them, and OpenCV queues
them inside the driver. Analysis (face checks, QR decoding) is slower than the frame rate at
times; if we read on demand we analyse stale frames from the queue. The grabber reads
continuously and keeps only the newest frame, so every analysis sees "now".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import cv2
import numpy as np

from kiosk.errors import DeviceIOError, DeviceUnavailableError
from kiosk.terminal.status import DeviceState

if TYPE_CHECKING:  # annotation only
    from kiosk.terminal.runner import CommandRunner

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp"})


class FrameSource(Protocol):
    """Anything that yields BGR frames: a V4L2 camera, a video file, an emulator.

    Sources that can take a frame without decoding it also offer ``grab() -> bool`` and
    ``retrieve() -> image | None``; the grabber then decodes only while someone wants frames.
    """

    def open(self) -> None: ...
    def read(self) -> np.ndarray | None: ...  # blocks up to one frame period; None = no frame now
    def close(self) -> None: ...


class VideoCaptureSource:
    """OpenCV ``VideoCapture`` on a device index, a device node or a video file.

    Files are replayed at their own frame rate and looped, so a recorded clip stands in for a live
    camera with the same timing. Device options (size, fps, FOURCC) are requested and read back,
    because V4L2 silently keeps its own values when it dislikes ours.
    """

    def __init__(self, target: str | int, *, width: int = 0, height: int = 0, fps: float = 0.0, fourcc: str = "", loop: bool = True) -> None:
        self.target = target
        self.width, self.height, self.fps, self.fourcc = width, height, fps, fourcc
        self.loop = loop
        self._cap: cv2.VideoCapture | None = None
        self._is_file = isinstance(target, str) and Path(target).is_file()
        self._period = 0.0
        self._next_at = 0.0
        self.negotiated: dict[str, object] = {}

    def open(self) -> None:
        if isinstance(self.target, str) and not self.target.isdigit() and not Path(self.target).exists():
            raise DeviceUnavailableError(f"no camera or video at {self.target}")
        target: str | int = int(self.target) if isinstance(self.target, str) and self.target.isdigit() else self.target
        cap = cv2.VideoCapture(target)
        if not cap.isOpened():
            cap.release()
            raise DeviceUnavailableError(f"cannot open camera {self.target}")
        if not self._is_file:
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # fewer queued frames in the driver: "latest" is fresher
            if self.fourcc:
                cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*self.fourcc[:4]))
            if self.width:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            if self.height:
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            if self.fps:
                cap.set(cv2.CAP_PROP_FPS, self.fps)
        file_fps = cap.get(cv2.CAP_PROP_FPS) or 0.0
        self._period = 1.0 / (self.fps or file_fps or 25.0) if self._is_file else 0.0
        self.negotiated = {
            "width": int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            "height": int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            "fps": file_fps,
        }
        self._cap = cap
        self._next_at = time.monotonic()

    def _pace(self) -> None:
        """A file plays at its own frame rate (a device paces itself): wait for the next frame's time."""
        if self._period:
            delay = self._next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next_at = max(self._next_at + self._period, time.monotonic() - self._period)

    def read(self) -> np.ndarray | None:
        cap = self._cap
        if cap is None:
            raise DeviceIOError("camera not open")
        self._pace()
        ok, frame = cap.read()
        if ok:
            return frame
        if self._is_file and self.loop:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = cap.read()
            return frame if ok else None
        raise DeviceIOError(f"camera {self.target} stopped delivering frames")

    def grab(self) -> bool:
        """Take the next frame off the device (or file, paced) without decoding it."""
        cap = self._cap
        if cap is None:
            raise DeviceIOError("camera not open")
        self._pace()
        if cap.grab():
            return True
        if self._is_file and self.loop:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            return bool(cap.grab())
        raise DeviceIOError(f"camera {self.target} stopped delivering frames")

    def retrieve(self) -> np.ndarray | None:
        """Decode the frame ``grab()`` took (the expensive half: MJPG → BGR)."""
        cap = self._cap
        if cap is None:
            raise DeviceIOError("camera not open")
        ok, frame = cap.retrieve()
        return frame if ok else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class StillImageSource:
    """One image file shown as a camera at a fixed rate (a photo held up to the lens)."""

    def __init__(self, path: str, fps: float = 25.0) -> None:
        self.path = path
        self.fps = fps
        self._frame: np.ndarray | None = None

    def open(self) -> None:
        frame = cv2.imread(self.path, cv2.IMREAD_COLOR)
        if frame is None:
            raise DeviceUnavailableError(f"cannot read image {self.path}")
        self._frame = frame

    def read(self) -> np.ndarray | None:
        time.sleep(1.0 / self.fps)
        return None if self._frame is None else self._frame.copy()

    def close(self) -> None:
        self._frame = None


def source_for_target(target: str, options: dict[str, str]) -> FrameSource:
    """``0`` / ``/dev/video0`` / ``clip.mp4`` / ``photo.png`` → the matching source."""
    if Path(target).suffix.lower() in IMAGE_SUFFIXES:
        return StillImageSource(target, float(options.get("fps", 25) or 25))
    return VideoCaptureSource(
        target,
        width=int(options.get("width", 0) or 0),
        height=int(options.get("height", 0) or 0),
        fps=float(options.get("fps", 0) or 0),
        fourcc=options.get("fourcc", ""),
    )


@dataclass(frozen=True)
class Frame:
    seq: int
    image: np.ndarray
    at: float  # time.monotonic() when grabbed


class FrameGrabber:
    """Reads a source on its own thread and keeps only the newest frame.

    ``on_fault(description)`` / ``on_recover()`` let the device report status when a camera stops
    delivering (unplugged) and when it comes back; the grabber reopens the source meanwhile.

    Idle is cheap: with a source that can ``grab()`` without decoding, frames are still taken off
    the camera at its rate (its queue never goes stale) but decoded only while someone asked for
    one in the last ``want_s`` seconds (``latest()``, ``wait_newer()``). Between commands no frame
    is kept: ``latest()`` is None until the first fresh one — never an old picture of the last citizen.
    """

    def __init__(
        self,
        source: FrameSource,
        name: str = "camera",
        *,
        on_fault: Callable[[str], None] | None = None,
        on_recover: Callable[[], None] | None = None,
        retry_s: float = 1.0,
        want_s: float = 2.0,
    ) -> None:
        self.source = source
        self.want_s = want_s
        self._wanted_until = 0.0
        self.frames_undecoded = 0  # grabbed while nobody wanted frames, never decoded
        self.name = name
        self._on_fault = on_fault
        self._on_recover = on_recover
        self.retry_s = retry_s
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._seq = 0
        self.frames_grabbed = 0
        self.frames_dropped = 0  # replaced before anyone consumed them
        self._consumed_seq = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.fault = ""

    def start(self) -> None:
        """Open the source here (errors surface to ``open()``), then grab on a thread."""
        self.source.open()
        self._wanted_until = time.monotonic() + self.want_s  # the first frames are decoded: the camera is proven to work
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"grab-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None
        self.source.close()
        with self._cond:
            self._latest = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def latest(self) -> Frame | None:
        self._wanted_until = time.monotonic() + self.want_s
        with self._cond:
            return self._latest

    def wait_newer(self, after_seq: int, timeout: float) -> Frame | None:
        """The newest frame with ``seq > after_seq``, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        self._wanted_until = max(self._wanted_until, deadline)
        try:
            with self._cond:
                while self._latest is None or self._latest.seq <= after_seq:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or self._stop.is_set():
                        return None
                    self._cond.wait(remaining)
                frame = self._latest
                self._consumed_seq = frame.seq
                return frame
        finally:
            self._wanted_until = time.monotonic() + self.want_s  # the caller's next call is likely near

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                got, image = self._next()
            except Exception as exc:  # noqa: BLE001 — any capture failure: report, reopen, go on
                self._fault(str(exc))
                continue
            if not got:
                continue
            if self.fault:
                self.fault = ""
                log.info("camera %s: frames again", self.name)
                if self._on_recover:
                    self._on_recover()
            if image is None:
                continue  # taken off the camera, not decoded: nobody wants it
            with self._cond:
                self._seq += 1
                if self._latest is not None and self._latest.seq > self._consumed_seq:
                    self.frames_dropped += 1
                self._latest = Frame(self._seq, image, time.monotonic())
                self.frames_grabbed += 1
                self._cond.notify_all()

    def _next(self) -> tuple[bool, np.ndarray | None]:
        """(the camera delivered, the decoded frame or None). Every frame is taken off the camera;
        with a grab-capable source only wanted ones are decoded."""
        grab, retrieve = getattr(self.source, "grab", None), getattr(self.source, "retrieve", None)
        if grab is None or retrieve is None:
            image = self.source.read()
            return image is not None, image
        if not grab():
            return False, None
        if time.monotonic() < self._wanted_until:
            image = retrieve()
            return image is not None, image
        self.frames_undecoded += 1
        if self._latest is not None:
            with self._cond:
                self._latest = None  # no longer "now"
        return True, None

    def _fault(self, description: str) -> None:
        if not self.fault:
            log.warning("camera %s: %s; reopening", self.name, description)
            self.fault = description
            with self._cond:
                self._latest = None
            if self._on_fault:
                self._on_fault(description)
        self._stop.wait(self.retry_s)
        try:
            self.source.close()
            self.source.open()
        except Exception as exc:  # noqa: BLE001 — still gone; try again after retry_s
            log.debug("camera %s: reopen failed: %s", self.name, exc)


def start_grabber(source: FrameSource, device: str, runner: CommandRunner) -> FrameGrabber:
    """A started grabber whose faults and recoveries become the device's status (camera and QR alike)."""
    grabber = FrameGrabber(
        source,
        device,
        on_fault=lambda why: runner.report(DeviceState.HARDWARE_ERROR, f"camera: {why}"),
        on_recover=lambda: runner.report(DeviceState.ONLINE),
    )
    grabber.start()
    return grabber
