"""`kiosk maint selftest --json` on the emulated devices reports every device and passes; a broken device fails it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kiosk.maint.selftest import STEPS, run_selftest
from kiosk.settings import parse_config
from sim.config import demo_config, write_demo_config
from kiosk.terminal.facade import Terminal

REPO = Path(__file__).resolve().parents[2]


def test_cli_selftest_json_on_the_emulated_devices(tmp_path: Path) -> None:
    config = write_demo_config(tmp_path / "terminal.toml", tmp_path / "data")
    done = subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "maint", "selftest", "--json", "--upload"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["passed"] is True
    assert report["uploaded"] is True  # one heartbeat carried the results to the (embedded) platform
    import sqlite3

    with sqlite3.connect(tmp_path / "data" / "platform-emulator.db") as db:
        stored = db.execute("SELECT passed, body FROM selftests").fetchall()
    assert len(stored) == 1 and stored[0][0] == 1 and len(json.loads(stored[0][1])["results"]) == len(STEPS)
    names = [r["name"] for r in report["results"]]
    assert names == [s[0] for s in STEPS]
    devices = {r["device"] for r in report["results"]}
    assert devices == {c.value for c in demo_config().devices} | {"platform"}  # every configured device, and the platform
    assert not any(r["skipped"] for r in report["results"])
    by_name = {r["name"]: r for r in report["results"]}
    assert "sharpness" in by_name["camera_focus_brightness"]["data"]
    assert by_name["platform_round_trip"]["data"]["latency_ms"] > 0
    assert "5001**********" in by_name["idcard_read"]["detail"]  # masked, never the full ID number
    audit = subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "audit", "verify"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert audit.returncode == 0 and "1 record" in audit.stdout


CONFIG = """
[terminal]
id = "CQ-500112-ST"
hall = "测试大厅"
district_code = "500112"
district_name = "渝北区"
[platform]
url = "embedded:"
[devices.printer]
url = "sim:printer"
timeout_s = 5
[devices.speaker]
url = "sim:speaker"
"""


async def test_paper_out_fails_the_print_step_and_unconfigured_devices_are_skipped() -> None:
    terminal = Terminal(parse_config(CONFIG))
    await terminal.start()
    try:
        terminal.printer.emulator.set_paper("out")  # type: ignore[union-attr]
        report = await run_selftest(terminal, ["test_print", "voice", "idcard_read", "platform_round_trip"])
    finally:
        await terminal.stop()
    by_name = {r["name"]: r for r in report["results"]}
    assert report["passed"] is False
    assert by_name["test_print"]["ok"] is False and "paper" in by_name["test_print"]["detail"].lower()
    assert by_name["voice"]["ok"] is True
    assert by_name["idcard_read"]["skipped"] is True
    assert by_name["platform_round_trip"]["ok"] is False  # no platform attached
