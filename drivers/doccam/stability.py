"""Auto-capture: fire when the page has been still and sharp for N frames, and say why not otherwise.

"Still" means the corners moved less than ``tolerance`` × the page diagonal from frame to frame
and across the whole window — a page sliding slowly to a stop moves a little every frame, and a
per-frame test alone would fire while it still creeps. "Sharp" is the variance of the Laplacian
inside the page; a moving page is motion-blurred and fails it even when its outline is found.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

import cv2
import numpy as np

from drivers.doccam.detect import MSG_DARK, MSG_HOLD, MSG_PLACE, MSG_READY, Detection


@dataclass(frozen=True)
class TrackerVerdict:
    ready: bool
    message: str
    corners: np.ndarray | None = None  # the window's mean corners when ready


class StillTracker:
    def __init__(self, frames: int = 5, tolerance: float = 0.005, min_sharpness: float = 60.0, dark_level: float = 40.0) -> None:
        self.frames = max(2, frames)
        self.tolerance = tolerance
        self.min_sharpness = min_sharpness
        self.dark_level = dark_level
        self._window: collections.deque[Detection] = collections.deque(maxlen=self.frames)

    def reset(self) -> None:
        self._window.clear()

    def update(self, det: Detection) -> TrackerVerdict:
        """Add one analysed frame; the verdict says whether to capture now and what to tell the citizen."""
        if det.brightness < self.dark_level:
            self._window.clear()
            return TrackerVerdict(False, MSG_DARK)
        if det.corners is None:
            self._window.clear()
            return TrackerVerdict(False, MSG_PLACE)
        if self._window and not self._close(self._window[-1], det):
            self._window.clear()
        self._window.append(det)
        if len(self._window) < self.frames:
            return TrackerVerdict(False, MSG_HOLD)
        stack = np.stack([d.corners for d in self._window if d.corners is not None])
        span = float(np.linalg.norm(stack.max(axis=0) - stack.min(axis=0), axis=1).max())
        if span > 2 * self.tolerance * det.diagonal:
            self._window.popleft()
            return TrackerVerdict(False, MSG_HOLD)
        if min(d.sharpness for d in self._window) < self.min_sharpness:
            return TrackerVerdict(False, MSG_HOLD)
        return TrackerVerdict(True, MSG_READY, stack.mean(axis=0).astype(np.float32))

    def _close(self, a: Detection, b: Detection) -> bool:
        if a.corners is None or b.corners is None:
            return False
        moved = float(np.linalg.norm(a.corners - b.corners, axis=1).max())
        return moved <= self.tolerance * max(a.diagonal, b.diagonal)


class ChangeGate:
    """Between commands: is this frame worth a full page analysis, or is the desk as it was?

    A page lying (or no page) under a fixed camera gives the same picture frame after frame; the
    analyser need not look for it again (≈ 6 ms per 720p frame, all day long on a kiosk). A 64×36
    thumbnail differs by sensor noise only (averaged away) until something moves; a page put down,
    taken away or shifted changes some cells by tens of grey levels. ``recheck_s`` bounds how long a
    verdict is trusted without a fresh analysis (slow light changes, a missed edge case).
    """

    def __init__(self, threshold: float = 10.0, recheck_s: float = 10.0) -> None:
        self.threshold, self.recheck_s = threshold, recheck_s
        self._reference: np.ndarray | None = None
        self._key: object = None
        self._at = 0.0

    @staticmethod
    def thumbnail(image: np.ndarray) -> np.ndarray:
        small = cv2.resize(image, (64, 36), interpolation=cv2.INTER_AREA)
        return (cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small).astype(np.int16)

    def changed(self, image: np.ndarray, key: object, now: float) -> bool:
        """True when ``image`` should be analysed (and becomes the new reference)."""
        thumb = self.thumbnail(image)
        stale = self._reference is None or key != self._key or now - self._at >= self.recheck_s
        if not stale and int(np.abs(thumb - self._reference).max()) <= self.threshold:
            return False
        self._reference, self._key, self._at = thumb, key, now
        return True

    def reset(self) -> None:
        """Forget the reference: the next frame is analysed whatever it shows."""
        self._reference = None
