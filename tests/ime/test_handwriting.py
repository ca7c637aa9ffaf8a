"""Handwriting through zinnia and the Tegaki Simplified Chinese model: strokes drawn the way a
finger writes them (synthesised: straight lines and quadratic curves, in stroke order) are
recognised, the expected character in the first five."""

from __future__ import annotations

import pytest

from kiosk.ime.handwriting import Recognizer, recognize

SIZE = 300
Point = tuple[float, float]


def line(x0: float, y0: float, x1: float, y1: float, steps: int = 12) -> list[Point]:
    return [(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(steps + 1)]


def curve(start: Point, control: Point, end: Point, steps: int = 16) -> list[Point]:
    def at(t: float, a: float, b: float, c: float) -> float:
        return (1 - t) ** 2 * a + 2 * (1 - t) * t * b + t * t * c

    return [(at(i / steps, start[0], control[0], end[0]), at(i / steps, start[1], control[1], end[1]))
            for i in range(steps + 1)]


CHARACTERS = {
    "一": [line(40, 150, 260, 150)],
    "二": [line(80, 100, 220, 100), line(40, 210, 260, 210)],
    "三": [line(80, 70, 220, 70), line(100, 150, 200, 150), line(40, 240, 260, 240)],
    "十": [line(40, 140, 260, 140), line(150, 30, 150, 280)],
    "人": [curve((150, 30), (150, 160), (40, 270)), curve((150, 130), (200, 220), (270, 270))],
    "口": [line(70, 70, 70, 240), line(70, 70, 230, 70) + line(230, 70, 230, 240)[1:], line(70, 240, 230, 240)],
    "大": [line(40, 110, 260, 110), curve((150, 30), (150, 180), (50, 270)), curve((150, 150), (200, 220), (270, 270))],
    "王": [line(70, 60, 230, 60), line(150, 60, 150, 240), line(90, 150, 210, 150), line(40, 240, 260, 240)],
    "中": [line(70, 90, 70, 200), line(70, 90, 230, 90) + line(230, 90, 230, 200)[1:], line(70, 200, 230, 200),
           line(150, 30, 150, 280)],
}


@pytest.mark.parametrize("char", list(CHARACTERS))
def test_drawn_character_is_in_the_first_five(char: str) -> None:
    assert char in recognize(CHARACTERS[char], SIZE)[:5]


def test_stroke_order_and_shape_matter() -> None:
    one, ten = recognize(CHARACTERS["一"], SIZE), recognize(CHARACTERS["十"], SIZE)
    assert one[0] == "一" and ten[0] == "十"
    assert recognize([line(150, 30, 150, 280)], SIZE)[0] != "一"  # a vertical stroke is not 一


def test_scale_free_and_empty_input() -> None:
    doubled = [[(x * 2, y * 2) for x, y in stroke] for stroke in CHARACTERS["十"]]
    assert recognize(doubled, SIZE * 2)[0] == "十"
    assert recognize([], SIZE) == [] and recognize([[]], SIZE) == []


def test_scores_are_ranked() -> None:
    guesses = Recognizer.shared().classify(CHARACTERS["王"], SIZE, best=10)
    assert len(guesses) == 10
    assert [g.score for g in guesses] == sorted((g.score for g in guesses), reverse=True)
