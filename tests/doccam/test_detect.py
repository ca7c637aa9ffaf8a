"""Page detection on generated footage: corners within 2% of the page diagonal, read back from a video file."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.doccam.detect import analyse, order_corners
from sim.devices.doccam.scenes import make_scene, write_video


def corner_error(found: np.ndarray, truth: np.ndarray) -> float:
    """Max corner distance as a fraction of the page diagonal. The detector orders corners by image
    position (it cannot know which way the text runs), so the four cyclic pairings are tried."""
    diagonal = max(np.linalg.norm(truth[2] - truth[0]), np.linalg.norm(truth[3] - truth[1]))
    return float(min(np.linalg.norm(np.roll(found, k, axis=0) - truth, axis=1).max() for k in range(4)) / diagonal)


SKEWS = [
    # (angle°, centre, shadow strength, scale of frame height, seed)
    (8.0, (0.5, 0.5), 0.35, 0.85, 1),
    (-14.0, (0.42, 0.52), 0.55, 0.75, 2),
    (27.0, (0.56, 0.5), 0.2, 0.65, 3),
    (3.0, (0.35, 0.55), 0.6, 0.7, 4),
    (-33.0, (0.5, 0.48), 0.45, 0.55, 5),
    (90.0, (0.5, 0.5), 0.3, 0.9, 6),  # landscape on the desk
]


@pytest.mark.parametrize("angle, centre, shadow, scale, seed", SKEWS)
def test_corners_recovered_from_generated_video(tmp_path: Path, angle: float, centre: tuple[float, float], shadow: float,
                                                scale: float, seed: int) -> None:
    scene = make_scene("a4", width=640, height=360, frames=16, moving=8, angle_deg=angle, center=centre, shadow=shadow,
                       scale=scale, seed=seed)
    path = tmp_path / "desk.mp4"
    write_video(scene, str(path))
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    assert len(frames) == len(scene.frames)
    errors = []
    for index in range(scene.still_from, len(frames)):
        detection = analyse(frames[index])
        truth = scene.corners[index]
        assert truth is not None and detection.corners is not None, f"frame {index}: page not found"
        errors.append(corner_error(detection.corners, truth))
    assert max(errors) < 0.02, errors


@pytest.mark.parametrize("seed, angle", [(1, -25.0), (2, -20.0), (3, -15.0), (5, -5.0), (8, 10.0)])
def test_hard_shadow_band_across_the_page(seed: int, angle: float) -> None:
    """The camera arm's shadow crosses the page: the outline must be the whole page, not its lit part."""
    scene = make_scene("a4", width=640, height=360, frames=1, moving=0, seed=seed, angle_deg=angle, scale=0.8, shadow=0.4, shadow_edge=0.5)
    truth = scene.corners[0]
    assert truth is not None
    detection = analyse(scene.frames[0])
    assert detection.corners is not None
    assert corner_error(detection.corners, truth) < 0.02


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_corners_at_camera_resolutions(width: int, height: int) -> None:
    scene = make_scene("a4", width=width, height=height, frames=1, moving=0, angle_deg=-9, shadow=0.5, seed=7)
    detection = analyse(scene.frames[0])
    assert detection.corners is not None
    assert corner_error(detection.corners, scene.corners[0]) < 0.02


@pytest.mark.parametrize("kind", ["card", "card_back"])
def test_card_found_in_card_mode(kind: str) -> None:
    scene = make_scene(kind, width=1280, height=720, frames=1, moving=0, scale=0.35, angle_deg=-17, seed=3)
    detection = analyse(scene.frames[0], "id_front")
    assert detection.corners is not None
    assert corner_error(detection.corners, scene.corners[0]) < 0.02


def test_page_is_not_taken_for_a_card() -> None:
    scene = make_scene("a4", width=640, height=360, frames=1, moving=0, seed=2)
    assert analyse(scene.frames[0], "id_front").corners is None


def test_empty_desk_and_page_half_out_of_frame_give_nothing() -> None:
    empty = make_scene("empty", width=640, height=360, frames=1)
    assert analyse(empty.frames[0]).corners is None
    entering = make_scene("a4", width=640, height=360, frames=12, moving=11, seed=3)
    assert entering.corners[1] is None  # still half off the frame
    assert analyse(entering.frames[1]).corners is None


def test_order_corners_is_tl_tr_br_bl_whatever_the_input_order() -> None:
    square = np.array([[10, 10], [110, 12], [108, 90], [8, 88]], np.float32)
    for shift in range(4):
        shuffled = np.roll(square, shift, axis=0)[::-1]
        assert np.allclose(order_corners(shuffled), square)
