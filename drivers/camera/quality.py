"""Face quality checks for 人证核验 and the Chinese guidance shown to the citizen.

One frame in, one ``QualityReport`` out: exactly one face, large and centred enough, lit well,
sharp. Detection runs on a downscaled frame (Haar: 320 px wide, LBP: 480), because a face close enough
to pass is ≥ 45 px there and the cascade's cost grows with the pixel count. Between full scans the
checker can follow the one face it found (a small region, near its size), which costs about a
third of a scan; the camera service makes every accepted frame a full scan (``bench/bench_face.py``).
The detector is an OpenCV cascade from Debian's opencv-data: Haar (default, the classic frontal
face model) or LBP (faster, tighter boxes, needs the larger frame). No PyPI package ships a YuNet ONNX model
for ``cv2.FaceDetectorYN``, so it is not offered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import cv2
import numpy as np

from kiosk.errors import DeviceUnavailableError

CASCADE_DIRS = (Path("/usr/share/opencv4"), Path("/usr/share/opencv"))
CASCADES = {
    "haar": "haarcascades/haarcascade_frontalface_default.xml",
    "lbp": "lbpcascades/lbpcascade_frontalface_improved.xml",
}

GUIDANCE = {
    "ok": "很好，请保持不动",
    "no_face": "请正对屏幕",
    "many_faces": "画面中只能有一人",
    "too_far": "请靠近一点",
    "too_close": "请离远一点",
    "off_centre": "请正对屏幕",
    "too_dark": "请到光线充足处",
    "too_bright": "请避开强光",
    "blurry": "请保持不动",
    "moving": "请保持不动",
}


@dataclass(frozen=True)
class QualityThresholds:
    """Acceptance limits; ratios are fractions of the frame width/height, brightness grey levels."""

    min_face_ratio: float = 0.15  # face width / frame width; below → 请靠近一点
    max_face_ratio: float = 0.60  # above → 请离远一点
    max_offset_x: float = 0.15  # |face centre x − 0.5|, fraction of the frame width
    max_offset_y: float = 0.20  # |face centre y − 0.45|, fraction of the frame height
    min_brightness: float = 70.0  # mean grey of the face (0–255)
    max_brightness: float = 210.0
    min_frame_brightness: float = 40.0  # whole frame: too dark to even look for a face
    max_frame_brightness: float = 225.0
    min_sharpness: float = 40.0  # variance of the Laplacian on the face scaled to 128×128
    max_motion: float = 0.08  # face centre shift between frames, fraction of the face width


@dataclass(frozen=True)
class QualityReport:
    """The verdict on one frame. ``problem`` is a key of ``GUIDANCE`` ("ok" when it passes)."""

    problem: str
    faces: int = 0
    box: tuple[int, int, int, int] | None = None  # x, y, w, h in frame pixels
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem == "ok"

    @property
    def guidance(self) -> str:
        return GUIDANCE[self.problem]

    def to_json_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "problem": self.problem, "guidance": self.guidance, "faces": self.faces,
                "box": list(self.box) if self.box else None, "metrics": self.metrics}


def find_cascade(kind: str) -> str:
    """Path of the opencv-data cascade for ``kind`` (haar | lbp)."""
    if kind not in CASCADES:
        raise ValueError(f"unknown face detector {kind!r} (known: {', '.join(CASCADES)})")
    for base in CASCADE_DIRS:
        path = base / CASCADES[kind]
        if path.is_file():
            return str(path)
    raise DeviceUnavailableError(f"face model {CASCADES[kind]} not found (install Debian package opencv-data)")


class FaceQualityChecker:
    """Detects faces and judges one frame. Not thread-safe: one per camera worker."""

    def __init__(self, detector: str = "haar", thresholds: QualityThresholds | None = None, detect_width: int = 0) -> None:
        self.kind = detector
        self.limits = thresholds or QualityThresholds()
        # the LBP model's window is 45 px (Haar's 24 px): it needs a larger frame to see a far face
        self.detect_width = detect_width or (320 if detector == "haar" else 480)
        self._cascade = cv2.CascadeClassifier(find_cascade(detector))
        if self._cascade.empty():
            raise DeviceUnavailableError(f"face model for {detector} failed to load")
        self._last_box: tuple[int, int, int, int] | None = None

    def detect(self, gray: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Every face in the frame, in full-frame pixels, largest first (a full scan)."""
        height, width = gray.shape
        k = width / self.detect_width
        small = cv2.resize(gray, (self.detect_width, max(1, round(height / k))), interpolation=cv2.INTER_AREA)
        # smallest face looked for: 28 px here (≈ 9 % of the frame width, a citizen ~1.5 m away);
        # the smallest windows cost most, and a face that small only ever earns 请靠近一点
        found = self._cascade.detectMultiScale(small, 1.2, 4, minSize=(28, 28))
        boxes = [cast(tuple[int, int, int, int], tuple(int(round(v * k)) for v in box)) for box in found]
        return sorted(boxes, key=lambda b: -b[2] * b[3])

    def track(self, gray: np.ndarray, previous: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
        """The face near ``previous`` at about its size, or None (≈ 3× cheaper than a full scan:
        most of a scan's cost is the small window sizes, which a face already found cannot have)."""
        height, width = gray.shape
        k = width / self.detect_width
        x, y, w, h = previous
        x0, y0 = max(0, int(x - w / 2)), max(0, int(y - h / 2))
        x1, y1 = min(width, int(x + w * 1.5)), min(height, int(y + h * 1.5))
        roi = cv2.resize(gray[y0:y1, x0:x1], (max(1, round((x1 - x0) / k)), max(1, round((y1 - y0) / k))), interpolation=cv2.INTER_AREA)
        size = w / k
        found = self._cascade.detectMultiScale(roi, 1.2, 3, minSize=(int(size * 0.75),) * 2, maxSize=(int(size * 1.35) + 1,) * 2)
        if len(found) == 0:
            return None
        fx, fy, fw, fh = max(found, key=lambda b: b[2] * b[3])
        return (int(round(fx * k)) + x0, int(round(fy * k)) + y0, int(round(fw * k)), int(round(fh * k)))

    def assess(self, frame: np.ndarray, *, full: bool = True) -> QualityReport:
        """Judge one BGR frame; the first failing check decides the guidance.

        ``full=False`` lets it follow the single face of the previous frame instead of scanning
        the whole frame (faster, but blind to a second person): callers must make the frame
        they finally accept a full scan (the camera service does).
        """
        started = time.perf_counter()
        gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        lim = self.limits
        frame_mean = float(cv2.mean(gray)[0])
        metrics: dict[str, float] = {"frame_brightness": round(frame_mean, 1)}

        def report(problem: str, faces: int = 0, box: tuple[int, int, int, int] | None = None) -> QualityReport:
            metrics["check_ms"] = round((time.perf_counter() - started) * 1000, 2)
            return QualityReport(problem, faces, box, metrics)

        if frame_mean < lim.min_frame_brightness:
            self._last_box = None
            return report("too_dark")
        if frame_mean > lim.max_frame_brightness:
            self._last_box = None
            return report("too_bright")
        tracked = self.track(gray, self._last_box) if not full and self._last_box else None
        boxes = [tracked] if tracked else self.detect(gray)
        metrics["full_scan"] = 0.0 if tracked else 1.0
        self._last_box = boxes[0] if len(boxes) == 1 else None
        if not boxes:
            return report("no_face")
        if len(boxes) > 1:
            return report("many_faces", len(boxes), boxes[0])
        box = boxes[0]
        x, y, w, h = box
        height, width = gray.shape
        face = cv2.resize(gray[y : y + h, x : x + w], (128, 128), interpolation=cv2.INTER_AREA)
        metrics.update(
            face_ratio=round(w / width, 3),
            offset_x=round(abs((x + w / 2) / width - 0.5), 3),
            offset_y=round(abs((y + h / 2) / height - 0.45), 3),
            brightness=round(float(face.mean()), 1),
            sharpness=round(float(cv2.Laplacian(face, cv2.CV_64F).var()), 1),
        )
        if metrics["brightness"] < lim.min_brightness:
            return report("too_dark", 1, box)
        if metrics["brightness"] > lim.max_brightness:
            return report("too_bright", 1, box)
        if metrics["offset_x"] > lim.max_offset_x or metrics["offset_y"] > lim.max_offset_y:
            return report("off_centre", 1, box)
        if metrics["face_ratio"] < lim.min_face_ratio:
            return report("too_far", 1, box)
        if metrics["face_ratio"] > lim.max_face_ratio:
            return report("too_close", 1, box)
        if metrics["sharpness"] < lim.min_sharpness:
            return report("blurry", 1, box)
        return report("ok", 1, box)


def moved(previous: QualityReport | None, current: QualityReport, max_motion: float) -> bool:
    """True when the face centre shifted more than ``max_motion`` face widths since ``previous``."""
    if previous is None or previous.box is None or current.box is None:
        return False
    px, py, pw, ph = previous.box
    cx, cy, cw, ch = current.box
    shift = float(np.hypot((cx + cw / 2) - (px + pw / 2), (cy + ch / 2) - (py + ph / 2)))
    return shift > max_motion * max(pw, cw)
