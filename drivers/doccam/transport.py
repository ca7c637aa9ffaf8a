"""Frame sources (UVC camera, video file, emulator) and the grabber thread that keeps the latest frame.

A UVC camera queues frames; reading slower than it delivers means seeing the past. The grabber
reads continuously on its own thread and keeps only the newest frame, so the analyser and the
capture always look at "now". Sources raise our ``DeviceError`` tree, never cv2 errors.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from kiosk.errors import DeviceIOError, DeviceUnavailableError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Frame:
    seq: int  # increasing per delivered frame (the source's own index when it has one)
    image: np.ndarray  # BGR
    at: float  # time.monotonic() when grabbed


class FrameSource(Protocol):
    """``read()`` grabs and decodes one frame. Sources that can grab without decoding also offer
    ``grab() -> bool`` and ``retrieve() -> (seq, image)``; the grabber then decodes only frames
    someone asked for (a 4K MJPG decode costs ≈ 20 ms; the camera sends 15–30 a second)."""

    def open(self) -> None: ...
    def read(self) -> tuple[int, np.ndarray] | None: ...  # None: no frame this time (retry)
    def close(self) -> None: ...
    def describe(self) -> dict[str, object]: ...


def _v4l2_index(device: str | int) -> int:
    """OpenCV's V4L2 backend opens by index only: ``/dev/video2`` or a by-id symlink to it → 2."""
    text = str(device)
    if text.isdigit():
        return int(text)
    match = re.fullmatch(r"/dev/video(\d+)", os.path.realpath(text))
    if match is None:
        raise DeviceUnavailableError(f"{text} is not a V4L2 video device (/dev/videoN)")
    return int(match.group(1))


class UvcSource:
    """A V4L2 camera through OpenCV, asking for MJPG (raw YUYV at 4K is too much for USB 2)."""

    def __init__(self, device: str | int, width: int = 3840, height: int = 2160, fourcc: str = "MJPG", fps: float = 0) -> None:
        self.device, self.width, self.height, self.fourcc, self.fps = device, width, height, fourcc, fps
        self._cap: cv2.VideoCapture | None = None
        self._seq = 0

    def open(self) -> None:
        cap = cv2.VideoCapture(_v4l2_index(self.device), cv2.CAP_V4L2)
        if not cap.isOpened():
            cap.release()
            raise DeviceUnavailableError(f"cannot open camera {self.device}")
        if self.fourcc:
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*self.fourcc[:4].ljust(4)))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        if self.fps:
            cap.set(cv2.CAP_PROP_FPS, self.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._cap = cap

    def read(self) -> tuple[int, np.ndarray] | None:
        if self._cap is None:
            raise DeviceIOError("camera not open")
        ok, frame = self._cap.read()
        if not ok or frame is None:
            raise DeviceIOError(f"camera {self.device} delivered no frame")
        self._seq += 1
        return self._seq, frame

    def grab(self) -> bool:
        if self._cap is None:
            raise DeviceIOError("camera not open")
        if not self._cap.grab():
            raise DeviceIOError(f"camera {self.device} delivered no frame")
        self._seq += 1
        return True

    def retrieve(self) -> tuple[int, np.ndarray]:
        if self._cap is None:
            raise DeviceIOError("camera not open")
        ok, frame = self._cap.retrieve()
        if not ok or frame is None:
            raise DeviceIOError(f"camera {self.device}: cannot decode frame")
        return self._seq, frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def describe(self) -> dict[str, object]:
        if self._cap is None:
            return {"device": str(self.device)}
        code = int(self._cap.get(cv2.CAP_PROP_FOURCC))
        fourcc = "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4))
        return {"device": str(self.device), "width": int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                "height": int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)), "fourcc": fourcc}


class FileSource:
    """A video file played in real time, in a loop: the stand-in camera for recorded footage."""

    def __init__(self, path: str, loop: bool = True, fps: float = 0) -> None:
        self.path, self.loop, self.fps = path, loop, fps
        self._cap: cv2.VideoCapture | None = None
        self._index = -1
        self._next_at = 0.0
        self._seq = 0

    def open(self) -> None:
        cap = cv2.VideoCapture(self.path)
        if not cap.isOpened():
            cap.release()
            raise DeviceUnavailableError(f"cannot open video {self.path}")
        self.fps = self.fps or cap.get(cv2.CAP_PROP_FPS) or 15.0
        self._cap, self._next_at = cap, time.monotonic()

    def read(self) -> tuple[int, np.ndarray] | None:
        if self._cap is None:
            raise DeviceIOError("video not open")
        delay = self._next_at - time.monotonic()
        if delay > 0:
            time.sleep(min(delay, 0.05))
            if delay > 0.05:
                return None
        self._next_at = max(self._next_at + 1.0 / self.fps, time.monotonic() - 1.0)
        ok, frame = self._cap.read()
        if not ok:
            if not self.loop or self._index < 0:
                raise DeviceIOError(f"video {self.path} ended")
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self._index = -1
            ok, frame = self._cap.read()
            if not ok:
                raise DeviceIOError(f"video {self.path} cannot rewind")
        self._index += 1
        self._seq += 1
        return self._seq, frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def describe(self) -> dict[str, object]:
        return {"file": self.path, "fps": self.fps}


class Grabber:
    """Reads a source on a daemon thread; ``latest()`` is the newest frame, ``wait_newer()`` blocks for one."""

    def __init__(self, source: FrameSource, on_error: Callable[[str], None] | None = None, max_failures: int = 25) -> None:
        self.source = source
        self._on_error = on_error
        self._max_failures = max_failures
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._stop = threading.Event()
        self._wanted = threading.Event()  # someone waits for a frame: decode the next one
        self._thread: threading.Thread | None = None
        self.error = ""

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="doccam-grabber", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None

    def latest(self) -> Frame | None:
        return self._latest

    def wait_newer(self, seq: int, timeout: float) -> Frame | None:
        self._wanted.set()
        with self._cond:
            self._cond.wait_for(lambda: self._stop.is_set() or (self._latest is not None and self._latest.seq > seq), timeout)
            frame = self._latest
        return frame if frame is not None and frame.seq > seq else None

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                got = self._next()
            except Exception as exc:  # noqa: BLE001 - a dying camera must be reported, not kill the thread silently
                failures += 1
                if failures == self._max_failures:
                    self.error = str(exc)
                    log.error("doccam grabber: %s", exc)
                    if self._on_error:
                        self._on_error(self.error)
                self._stop.wait(0.02 if failures < self._max_failures else 0.5)
                continue
            if got is None:
                continue
            if failures >= self._max_failures and self._on_error:
                self._on_error("")  # recovered
            failures, self.error = 0, ""
            seq, image = got
            with self._cond:
                self._latest = Frame(seq, image, time.monotonic())
                self._cond.notify_all()

    def _next(self) -> tuple[int, np.ndarray] | None:
        """Grab every frame (so the camera's queue never goes stale); decode only wanted ones."""
        grab, retrieve = getattr(self.source, "grab", None), getattr(self.source, "retrieve", None)
        if grab is None or retrieve is None or self._latest is None:
            return self.source.read()
        if not grab() or not self._wanted.is_set():
            return None
        self._wanted.clear()
        return retrieve()
