"""The 高拍仪 emulator: a camera that plays generated scenes as an MJPG stream.

``place("a4")`` generates a page sliding onto the desk and plays it; once the page lies still a
few still frames loop (each with its own noise), as a real page lying under a real camera would.
``clear()`` takes the page away. Frames are JPEG-encoded once at ``place`` time and decoded by
the driver, so the driver sees what a UVC MJPG camera delivers.

Idle must be cheap: every sim process (demo, UI tests, ``kiosk run`` on the default config) has
this emulator open. So a scene is drawn only when it changes, only ``STILL_VARIANTS`` still frames
are drawn however long the clip (the rest of the clip re-serves them), and drawn scenes are kept
per process (``_drawn``): scenes are seeded, so reopening the device re-serves them instead of
drawing 30 frames of 720p again (≈ 2 s of CPU each time).
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache

import cv2
import numpy as np

from kiosk.errors import DeviceIOError
from sim.devices.doccam.scenes import Scene, make_scene

SCENES = ("a4", "card", "card_back", "empty")
STILL_VARIANTS = 3  # distinct still frames (sensor noise differs); a longer still part loops them
_DEFAULT_MOVING = int(make_scene.__kwdefaults__["moving"])  # type: ignore[index]


def _encode(frame: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise ValueError("cannot encode frame")
    return buf.tobytes()


@lru_cache(maxsize=6)
def _drawn(name: str, params: tuple[tuple[str, object], ...]) -> tuple[Scene, tuple[bytes, ...]]:
    """A named scene drawn and encoded once per process (same name and params → same seeded frames)."""
    kwargs = dict(params)
    frames = int(kwargs.get("frames", 30))  # type: ignore[call-overload]
    moving = max(0, min(int(kwargs.get("moving", _DEFAULT_MOVING)), frames - 1))  # type: ignore[call-overload]
    kwargs["frames"] = min(frames, moving + STILL_VARIANTS)  # the emulator loops the still frames anyway
    scene = make_scene(name, **kwargs)  # type: ignore[arg-type]
    return scene, tuple(_encode(f) for f in scene.frames)


class DoccamEmulator:
    """A paced frame source with a control API: ``place(scene)``, ``clear()``, ``unplug()``."""

    def __init__(self, width: int = 1280, height: int = 720, fps: float = 15.0, seed: int = 1, scene_frames: int = 30,
                 scene: str = "empty") -> None:
        self.width, self.height, self.fps, self.seed, self.scene_frames = width, height, fps, seed, scene_frames
        self._lock = threading.Lock()
        self._frames: list[bytes] = []
        self._still_from = 0
        self._scene: Scene | None = None
        self._index = 0
        self._seq = 0
        self._next_at = 0.0
        self._unplugged = False
        self._played: dict[int, int] = {}
        self._generation = 0
        self._drawing: threading.Thread | None = None
        self.clear()
        self._pending = scene if scene != "empty" else ""  # generated at open(): scenes take a second to draw

    # ----- control API ------------------------------------------------------------------------
    def place(self, scene: str | Scene = "a4", **params: object) -> Scene:
        """Play ``scene`` (a name from ``SCENES`` with ``make_scene`` params, or a ready Scene) from its start."""
        with self._lock:
            self._generation += 1
            self._pending = ""
        rendered = self._render(scene, **params)
        self._install(*rendered)
        return rendered[0]

    def clear(self) -> None:
        """An empty desk."""
        with self._lock:
            self._generation += 1
            self._pending = ""
        self._install(*self._render("empty", frames=STILL_VARIANTS))

    def _render(self, scene: str | Scene, **params: object) -> tuple[Scene, list[bytes]]:
        if not isinstance(scene, str):
            return scene, [_encode(f) for f in scene.frames]
        if scene not in SCENES:
            raise ValueError(f"unknown scene {scene!r}; known: {', '.join(SCENES)}")
        defaults: dict[str, object] = {"width": self.width, "height": self.height, "frames": self.scene_frames,
                                       "seed": self.seed, "fps": self.fps}
        if scene.startswith("card"):
            defaults.update(scale=0.4, angle_deg=-12.0)
        merged = {**defaults, **params}
        try:
            drawn, encoded = _drawn(scene, tuple(sorted(merged.items())))
        except TypeError:  # an unhashable param (a list for center): draw it uncached
            drawn = make_scene(scene, **merged)  # type: ignore[arg-type]
            return drawn, [_encode(f) for f in drawn.frames]
        return drawn, list(encoded)

    def _install(self, scene: Scene, encoded: list[bytes], generation: int | None = None) -> None:
        with self._lock:
            if generation is not None and generation != self._generation:
                return  # placed or cleared meanwhile: the newer request wins
            self._scene, self._frames, self._still_from, self._index = scene, encoded, scene.still_from, 0

    def _place_in_background(self, name: str) -> None:
        """The URL's initial scene, drawn off the open path (the page already lies still: a few frames)."""
        with self._lock:
            generation = self._generation

        def work() -> None:  # lying there already when the camera starts: no slide-in to draw
            self._install(*self._render(name, moving=0), generation=generation)

        self._drawing = threading.Thread(target=work, name="doccam-emulator-scene", daemon=True)
        self._drawing.start()

    def unplug(self, unplugged: bool = True) -> None:
        """Simulate the USB cable pulled (reads fail) or plugged back."""
        self._unplugged = unplugged

    @property
    def scene(self) -> Scene | None:
        return self._scene

    def frame_index(self, seq: int) -> int:
        """Which frame of the current scene delivery ``seq`` showed (for tests: moving or still?)."""
        return self._played.get(seq, -1)

    # ----- the camera side ----------------------------------------------------------------------
    def open(self) -> None:
        if self._pending:
            self._place_in_background(self._pending)
            self._pending = ""
        self._next_at = time.monotonic()

    def read(self) -> tuple[int, bytes] | None:
        """The next MJPG frame at the emulated frame rate (None if it is not due yet)."""
        if self._unplugged:
            time.sleep(0.02)
            raise DeviceIOError("emulated camera unplugged")
        delay = self._next_at - time.monotonic()
        if delay > 0:  # one sleep per frame at ≥ 10 fps; slower rates come back so the grabber sees a stop
            time.sleep(min(delay, 0.1))
            if delay > 0.1:
                return None
        self._next_at = max(self._next_at + 1.0 / self.fps, time.monotonic() - 0.5)
        with self._lock:
            n = len(self._frames)
            i = self._index if self._index < n else self._still_from + (self._index - self._still_from) % max(1, n - self._still_from)
            data = self._frames[i]
            self._index += 1
            self._seq += 1
            self._played[self._seq] = i
            if len(self._played) > 1000:
                self._played.pop(next(iter(self._played)))  # the oldest: seqs are inserted in order
            return self._seq, data

    def close(self) -> None:
        """Wait for a scene still being drawn: a process exiting while OpenCV runs on a daemon thread aborts."""
        drawing = self._drawing
        if drawing is not None and drawing is not threading.current_thread():
            drawing.join(timeout=15.0)


class EmulatorSource:
    """The driver's side of the emulator: decodes its MJPG frames like a UVC source would."""

    def __init__(self, emulator: DoccamEmulator) -> None:
        self.emulator = emulator
        self._grabbed: tuple[int, bytes] | None = None

    def open(self) -> None:
        self.emulator.open()

    def read(self) -> tuple[int, np.ndarray] | None:
        return self.retrieve() if self.grab() else None

    def grab(self) -> bool:
        got = self.emulator.read()
        if got is not None:
            self._grabbed = got
        return got is not None

    def retrieve(self) -> tuple[int, np.ndarray]:
        if self._grabbed is None:
            raise DeviceIOError("nothing grabbed")
        seq, data = self._grabbed
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise DeviceIOError("corrupt MJPG frame")
        return seq, image

    def close(self) -> None:
        self.emulator.close()

    def describe(self) -> dict[str, object]:
        return {"sim": True, "width": self.emulator.width, "height": self.emulator.height, "fps": self.emulator.fps}
