"""Without librime's pinyin data the keyboard still works on the fallback ranking, says so in one
WARNING line, and ``status`` carries the reason (for ``kiosk ime status`` and the doctor)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.ime import Composer, choice, rime_data, status
from kiosk.ime.engine import InputMethod


def test_missing_rime_data_falls_back_with_a_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture, rime: InputMethod) -> None:
    monkeypatch.setattr(rime_data, "SHARED", tmp_path / "no-rime-data")  # as on a terminal without the package
    monkeypatch.setattr(choice, "_loaded", {})
    with caplog.at_level(logging.WARNING, logger="kiosk.ime.choice"):
        method = choice.load(tmp_path)
    assert method.name == "fallback" and "rime-data-luna-pinyin" in method.reason
    assert [r.levelname for r in caplog.records] == ["WARNING"] and "fallback" in caplog.text
    assert status().engine == "fallback" and "rime-data-luna-pinyin" in status().detail
    composer = Composer(method)
    for letter in "zhangsan":
        composer.type(letter)
    assert "张" in [c.text for c in composer.candidates(40)]  # it works, if it guesses worse (长 first)


def test_status_before_and_after_loading(monkeypatch: pytest.MonkeyPatch, rime: InputMethod) -> None:
    monkeypatch.setattr(choice, "_loaded", {})
    assert status().engine == "not loaded"
    monkeypatch.setattr(choice, "_loaded", {"": rime})
    assert status().engine == "librime" and "librime 1." in status().detail


def test_health_report_for_the_doctor(rime: InputMethod, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kiosk.ime.health import report

    healthy = report()
    assert healthy["ok"] and healthy["engine"] == "librime" and healthy["handwriting"]
    assert healthy["compiled"] and Path(healthy["compiled"]).is_dir()  # the fixture compiled it
    monkeypatch.setattr(rime_data, "SHARED", tmp_path / "no-rime-data")
    broken = report()
    assert not broken["ok"] and broken["engine"] == "fallback" and "rime-data-luna-pinyin" in broken["detail"]
