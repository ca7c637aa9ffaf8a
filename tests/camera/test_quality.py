"""Quality checks on every emulated scene, for both cascades: the right problem and guidance."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.camera.quality import GUIDANCE, FaceQualityChecker, QualityReport, moved
from sim.devices.camera.emulator import SCENES, render_scene

EXPECTED = {
    "good": ("ok", "很好，请保持不动"),
    "far": ("too_far", "请靠近一点"),
    "offcentre": ("off_centre", "请正对屏幕"),
    "dark": ("too_dark", "请到光线充足处"),
    "bright": ("too_bright", "请避开强光"),
    "blurry": ("blurry", "请保持不动"),
    "two": ("many_faces", "画面中只能有一人"),
    "none": ("no_face", "请正对屏幕"),
}


@pytest.fixture(scope="module", params=["haar", "lbp"])
def checker(request: pytest.FixtureRequest) -> FaceQualityChecker:
    return FaceQualityChecker(request.param)


def test_every_scene_has_an_expectation() -> None:
    assert set(EXPECTED) == set(SCENES)


@pytest.mark.parametrize("scene", SCENES)
def test_scene_gets_its_guidance(checker: FaceQualityChecker, scene: str) -> None:
    report = checker.assess(render_scene(scene))
    problem, guidance = EXPECTED[scene]
    assert report.problem == problem, report.metrics
    assert report.guidance == guidance
    assert report.ok is (scene == "good")


def test_good_face_is_found_where_it_was_placed(checker: FaceQualityChecker) -> None:
    report = checker.assess(render_scene("good"))
    assert report.faces == 1 and report.box is not None
    x, y, w, h = report.box
    assert abs((x + w / 2) - 640) < 40 and abs((y + h / 2) - 0.42 * 720) < 50
    assert report.metrics["face_ratio"] >= 0.15
    assert report.metrics["sharpness"] > 40


def test_two_faces_counted(checker: FaceQualityChecker) -> None:
    assert checker.assess(render_scene("two")).faces == 2


def test_grayscale_and_other_sizes_work() -> None:
    gray = cv2.cvtColor(render_scene("good", size=(640, 480)), cv2.COLOR_BGR2GRAY)
    assert FaceQualityChecker().assess(gray).ok


def test_motion_is_measured_in_face_widths() -> None:
    a = QualityReport("ok", 1, (100, 100, 200, 200))
    assert not moved(a, QualityReport("ok", 1, (110, 100, 200, 200)), 0.08)  # 10 px of 200
    assert moved(a, QualityReport("ok", 1, (130, 100, 200, 200)), 0.08)  # 30 px
    assert not moved(None, a, 0.08)


def test_uniform_frame_has_no_face() -> None:
    assert FaceQualityChecker().assess(np.full((720, 1280, 3), 128, np.uint8)).problem == "no_face"


def test_every_guidance_is_chinese() -> None:
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in GUIDANCE.values())


def test_unknown_detector_and_scene_are_refused() -> None:
    with pytest.raises(ValueError, match="haar"):
        FaceQualityChecker("yunet")
    with pytest.raises(ValueError, match="good"):
        render_scene("underwater")


def test_tracking_follows_the_face_but_a_full_scan_sees_the_second_person() -> None:
    checker = FaceQualityChecker()
    assert checker.assess(render_scene("good")).metrics["full_scan"] == 1.0
    tracked = checker.assess(render_scene("good"), full=False)
    assert tracked.ok and tracked.metrics["full_scan"] == 0.0
    assert abs(tracked.box[0] - checker.assess(render_scene("good")).box[0]) < 40  # type: ignore[index]
    assert checker.assess(render_scene("two"), full=True).problem == "many_faces"


def test_tracking_falls_back_to_a_full_scan_when_the_face_is_gone() -> None:
    checker = FaceQualityChecker()
    checker.assess(render_scene("good"))
    report = checker.assess(render_scene("none"), full=False)
    assert report.problem == "no_face" and report.metrics["full_scan"] == 1.0
