"""Auto-capture fires only once the page lies still and sharp, and says why it waits."""

from __future__ import annotations

import numpy as np

from drivers.doccam.detect import MSG_DARK, MSG_HOLD, MSG_PLACE, Detection, analyse
from drivers.doccam.stability import StillTracker
from sim.devices.doccam.scenes import make_scene


def first_fire(frames: list[np.ndarray], tracker: StillTracker) -> tuple[int | None, list[str]]:
    messages = []
    for index, frame in enumerate(frames):
        verdict = tracker.update(analyse(frame))
        messages.append(verdict.message)
        if verdict.ready:
            return index, messages
    return None, messages


def test_fires_only_after_the_page_stops_moving() -> None:
    scene = make_scene("a4", width=640, height=360, frames=24, moving=12, seed=2)
    tracker = StillTracker(frames=5)
    fired, messages = first_fire(scene.frames, tracker)
    assert fired is not None
    assert fired >= scene.still_from + tracker.frames - 1  # every frame in the window is a still one
    assert MSG_HOLD in messages[: scene.still_from]  # the page was seen while moving, and held back


def test_never_fires_while_the_page_keeps_moving() -> None:
    scene = make_scene("a4", width=640, height=360, frames=24, moving=40, seed=4)  # never reaches its rest
    fired, _ = first_fire(scene.frames, StillTracker(frames=4))
    assert fired is None


def test_slow_creep_below_per_frame_tolerance_is_not_still() -> None:
    corners = np.array([[100, 50], [300, 60], [290, 340], [90, 330]], np.float32)
    tracker = StillTracker(frames=5, tolerance=0.005)
    diagonal = float(np.linalg.norm(corners[2] - corners[0]))
    step = 0.004 * diagonal  # under the per-frame tolerance, but it adds up
    verdicts = [tracker.update(Detection(corners + i * step, 500.0, 128.0, (640, 360))) for i in range(12)]
    assert not any(v.ready for v in verdicts)


def test_blurred_page_is_not_captured() -> None:
    corners = np.array([[100, 50], [300, 60], [290, 340], [90, 330]], np.float32)
    tracker = StillTracker(frames=3, min_sharpness=60.0)
    verdicts = [tracker.update(Detection(corners, 12.0, 128.0, (640, 360))) for _ in range(6)]
    assert not any(v.ready for v in verdicts)
    assert verdicts[-1].message == MSG_HOLD


def test_guidance_for_empty_desk_and_dim_light() -> None:
    empty = make_scene("empty", width=640, height=360, frames=1)
    assert StillTracker().update(analyse(empty.frames[0])).message == MSG_PLACE
    dim = make_scene("a4", width=640, height=360, frames=1, moving=0, exposure=0.2)
    assert StillTracker().update(analyse(dim.frames[0])).message == MSG_DARK
