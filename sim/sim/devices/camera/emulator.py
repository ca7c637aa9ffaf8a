"""Emulated face camera: scenes composed from the public-domain astronaut photo (scikit-image).

Each scene is what a citizen in front of the terminal might present: ``good`` (one face, close,
centred, lit), ``far``, ``offcentre``, ``dark``, ``bright``, ``blurry`` (moving), ``two`` (someone
behind), ``none``. ``sim:camera?scene=…`` runs the real camera driver on these frames; the
control API ``set_scene(name)`` changes what the camera sees. Frames stay in memory.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np

ASSET = Path(__file__).with_name("assets") / "astronaut.jpg"
FACE_BOX = (177, 66, 95, 95)  # x, y, w, h of the face in the 512×512 asset (Haar, checked by eye)
FRAME_SIZE = (1280, 720)

#: scene → list of (face width in px, face centre as a fraction of the frame)
_LAYOUT: dict[str, list[tuple[int, tuple[float, float]]]] = {
    "good": [(300, (0.5, 0.42))],
    "far": [(140, (0.5, 0.42))],
    "offcentre": [(240, (0.15, 0.42))],
    "dark": [(300, (0.5, 0.42))],
    "bright": [(300, (0.5, 0.42))],
    "blurry": [(300, (0.5, 0.42))],
    "two": [(200, (0.3, 0.42)), (200, (0.72, 0.45))],
    "none": [],
}
SCENES = tuple(_LAYOUT)


def _load_asset() -> np.ndarray:
    image = cv2.imread(str(ASSET), cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(f"camera emulator asset missing: {ASSET}")
    return image


def _wall(size: tuple[int, int]) -> np.ndarray:
    """A plain, evenly lit wall behind the citizen (a soft vertical gradient)."""
    width, height = size
    ramp = np.linspace(150, 185, height, dtype=np.float32)[:, None, None]
    return np.broadcast_to(ramp * np.array([1.0, 1.02, 1.05], np.float32), (height, width, 3)).astype(np.uint8).copy()


def _paste(canvas: np.ndarray, person: np.ndarray, face_w: int, centre: tuple[float, float]) -> None:
    """Scale ``person`` so its face is ``face_w`` wide and put the face centre at ``centre``."""
    fx, fy, fw, fh = FACE_BOX
    scale = face_w / fw
    scaled = cv2.resize(person, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    height, width = canvas.shape[:2]
    ox = int(centre[0] * width - (fx + fw / 2) * scale)
    oy = int(centre[1] * height - (fy + fh / 2) * scale)
    x0, y0 = max(0, ox), max(0, oy)
    x1, y1 = min(width, ox + scaled.shape[1]), min(height, oy + scaled.shape[0])
    if x1 > x0 and y1 > y0:
        canvas[y0:y1, x0:x1] = scaled[y0 - oy : y1 - oy, x0 - ox : x1 - ox]


def render_scene(scene: str, size: tuple[int, int] = FRAME_SIZE, person: np.ndarray | None = None) -> np.ndarray:
    """One BGR frame of ``scene`` (see ``SCENES``)."""
    if scene not in _LAYOUT:
        raise ValueError(f"unknown camera scene {scene!r} (known: {', '.join(SCENES)})")
    person = _load_asset() if person is None else person
    frame = _wall(size)
    for face_w, centre in _LAYOUT[scene]:
        _paste(frame, person, face_w, centre)
    if scene == "dark":
        frame = (frame.astype(np.float32) * 0.18).astype(np.uint8)
    elif scene == "bright":
        frame = np.clip(frame.astype(np.float32) * 1.7 + 110, 0, 255).astype(np.uint8)
    elif scene == "blurry":
        frame = cv2.GaussianBlur(frame, (0, 0), 5)
    return frame


class SceneCamera:
    """A ``FrameSource`` serving the current scene at ``fps`` with a little sensor noise.

    Noise makes consecutive frames differ like a real sensor's do; ``set_motion(px)`` sways the
    picture sideways by ``px`` per frame to emulate a citizen who cannot keep still.
    """

    def __init__(self, scene: str = "good", *, size: tuple[int, int] = FRAME_SIZE, fps: float = 15.0, noise: float = 2.0) -> None:
        self.size = size
        self.fps = fps
        self.noise = noise
        self.motion_px = 0
        self._unplugged = False
        self._offset = 0
        self._direction = 1
        self._person = _load_asset()
        self._lock = threading.Lock()
        self._rng = np.random.default_rng(7)
        self.frames_served = 0
        self.scene = ""
        self._frames: list[np.ndarray] = []
        self.set_scene(scene)

    def set_scene(self, scene: str) -> None:
        """What the camera sees from now on."""
        clean = render_scene(scene, self.size, self._person)
        frames = [clean]
        if self.noise:  # a few pre-made noisy variants: per-frame noise would cost ~30 ms each
            frames = [self._noisy(clean) for _ in range(4)]
        for frame in frames:
            frame.flags.writeable = False  # served as is, not copied per frame: consumers must not draw on it
        with self._lock:
            self.scene, self._frames = scene, frames

    def _noisy(self, frame: np.ndarray) -> np.ndarray:
        spread = int(round(self.noise * 1.7))  # uniform ±1.7σ has the σ asked for; 5× faster than normal()
        noise = self._rng.integers(-spread, spread + 1, frame.shape, dtype=np.int16)
        return np.clip(frame.astype(np.int16) + noise, 0, 255).astype(np.uint8)

    def unplug(self) -> None:
        """The USB cable is pulled: reads and opens fail until ``plug()``."""
        self._unplugged = True

    def plug(self) -> None:
        self._unplugged = False

    def set_motion(self, pixels_per_frame: int) -> None:
        """Sway sideways by this many pixels per frame, within ±120 px; 0 = still."""
        self.motion_px = pixels_per_frame
        self._offset = 0

    # FrameSource
    def open(self) -> None:
        if self._unplugged:
            raise OSError("camera unplugged")

    def read(self) -> np.ndarray | None:
        time.sleep(1.0 / self.fps)
        if self._unplugged:
            raise OSError("VIDIOC_DQBUF: No such device")
        with self._lock:
            frame = self._frames[self.frames_served % len(self._frames)]
            self.frames_served += 1
        if self.motion_px:
            if abs(self._offset + self._direction * self.motion_px) > 120:
                self._direction = -self._direction
            self._offset += self._direction * self.motion_px
            return np.roll(frame, self._offset, axis=1)
        return frame  # read-only and shared, like a driver's mapped buffer: a copy per frame is idle CPU

    def close(self) -> None:
        pass
