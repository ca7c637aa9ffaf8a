"""``kiosk device scanner scan`` writes the pages (and a PDF) from the sim scanner."""

from __future__ import annotations

import json

from kiosk.cli.main import main


def test_cli_scans_the_feeder_to_files(tmp_path, capsys) -> None:
    args = ["device", "scanner", "scan", "--target", "sim:scanner", "--source", "adf", "--dpi", "60", "--out", str(tmp_path), "--pdf", "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pages"] == 10 and report["dpi"] == 60
    assert sorted(p.name for p in tmp_path.glob("page-*.jpg")) == sorted(f"page-{i}.jpg" for i in range(1, 11))
    assert (tmp_path / "scan.pdf").read_bytes().startswith(b"%PDF-")


def test_cli_missing_device_is_one_line(capsys) -> None:
    assert main(["device", "scanner", "scan", "--target", "sane:nosuch:0?config_dir=/nonexistent"]) == 4
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("kiosk device scanner: device_not_ready")
