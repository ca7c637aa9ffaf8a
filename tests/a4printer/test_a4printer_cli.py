"""``kiosk device a4printer test`` prints through a real (private) cupsd and reports the end state."""

from __future__ import annotations

import json
import subprocess

import pytest

from kiosk.cli.main import main

pytestmark = pytest.mark.system  # starts its own cupsd


def test_cli_prints_a_test_certificate_on_the_sim(tmp_path, capsys) -> None:
    saved = tmp_path / "test.pdf"
    assert main(["device", "a4printer", "test", "--target", "sim:a4printer", "--json", "--save", str(saved)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["state"] == "completed"
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
    assert "打印测试证明" in text


def test_cli_failure_is_one_line_and_non_zero(capsys) -> None:
    code = main(["device", "a4printer", "test", "--target", "cups:kiosk?server=127.0.0.1:9", "--timeout", "5"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 4
    assert err[-1].startswith("kiosk device a4printer: device_not_ready")
    assert "Traceback" not in "\n".join(err)


def test_cli_status_says_paper_out_at_boot_and_exits_user_error(capsys) -> None:
    assert main(["device", "a4printer", "status", "--target", "sim:a4printer?paper=out", "--json"]) == 7
    report = json.loads(capsys.readouterr().out)
    assert report["state"] == "user_error" and report["reason"] == "media-empty-error" and "paper out" in report["description"]
    assert main(["device", "a4printer", "status", "--target", "sim:a4printer"]) == 0
    assert capsys.readouterr().out.strip() == "sim:a4printer: online"
