"""``kiosk outbox``: list (masked reasons), show, redrive (then delivered), export (sealed + plain summary), restore-key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk.terminal.outbox import DeliveryWorker, Outbox
from kiosk.terminal.outbox.export import open_export
from kiosk.terminal.platform import PlatformClient
from sim.platform.server import EmbeddedPlatform
from tests.outbox.test_dead_letters import copy_row

TERMINAL = "CQ-500112-T001"
SECRET = "独一无二的申请理由"
ID_NUMBER = "500112198703152613"


def kiosk(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "outbox", *args],
                          capture_output=True, text=True, timeout=60)


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "terminal.toml"
    path.write_text(f'[terminal]\nid = "{TERMINAL}"\nhall = "测试大厅"\ndistrict_code = "500112"\ndistrict_name = "渝北区"\n'
                    f'data_dir = "{tmp_path / "data"}"\n[platform]\nurl = "embedded:"\n', encoding="utf-8")
    return path


async def test_a_technician_lists_exports_and_redrives_a_dead_letter(
        tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, person_token: str) -> None:
    config, data = _config(tmp_path), tmp_path / "data"
    data.mkdir()
    outbox = Outbox(data / "outbox.db", data / "keys" / "outbox.key", TERMINAL)
    dead = outbox.enqueue({"item_code": "CQ-RS-0004", "person_token": person_token, "mode": "online", "receiving_district": "509999",
                           "form": {"reason": SECRET}})
    other = outbox.enqueue({"item_code": "CQ-RS-0004", "person_token": person_token, "mode": "online", "receiving_district": "500112",
                            "form": {"reason": SECRET}})
    worker = DeliveryWorker(outbox, client)
    await worker.deliver(dead.id)
    outbox.mark_rejected(other.id, "PERSON_MISMATCH", f"证件号 {ID_NUMBER} 与申请人不符", "person_token")

    listed = kiosk(config, "list")
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[1]: line for line in listed.stdout.splitlines() if line.startswith((dead.id, other.id))}
    assert "rejected" in lines[dead.receipt] and "DISTRICT_UNKNOWN" in lines[dead.receipt]
    assert ID_NUMBER not in listed.stdout and "5001**********2613" in lines[other.receipt]  # the reason is masked
    assert "2 dead letter(s)" in listed.stdout

    shown = kiosk(config, "show", dead.receipt)
    assert shown.returncode == 0 and '"item_code": "CQ-RS-0004"' in shown.stdout
    assert SECRET not in shown.stdout and person_token not in shown.stdout

    sealed = tmp_path / "export" / "dead.json"
    sealed.parent.mkdir()
    exported = kiosk(config, "export", dead.id, "--out", str(sealed))
    assert exported.returncode == 0, exported.stderr
    assert SECRET not in sealed.read_text(encoding="utf-8") and sealed.stat().st_mode & 0o777 == 0o600
    body, _ = open_export(sealed, (data / "keys" / "outbox.key").read_bytes())  # the window opens it with the terminal's key
    assert body["form"]["reason"] == SECRET and body["terminal_receipt"] == dead.receipt
    plain = (tmp_path / "export" / "dead.json.txt").read_text(encoding="utf-8")
    assert dead.receipt in plain and "DISTRICT_UNKNOWN" in plain and SECRET not in plain and person_token not in plain

    copy_row(platform, "districts", "code", "500112", "509999")
    redriven = kiosk(config, "redrive", dead.receipt)
    assert redriven.returncode == 0, redriven.stderr
    assert await worker.run_once() == 1  # the running terminal's worker delivers it on its next round
    assert outbox.get(dead.id)["state"] == "delivered"  # type: ignore[index]
    again = kiosk(config, "redrive", dead.receipt)
    assert again.returncode == 1 and "is delivered" in again.stderr and "Traceback" not in again.stderr


def test_restore_key_installs_only_the_key_that_opens_the_rows(tmp_path: Path) -> None:
    config, data = _config(tmp_path), tmp_path / "data"
    data.mkdir()
    Outbox(data / "outbox.db", data / "keys" / "outbox.key", TERMINAL).enqueue({"item_code": "CQ-RS-0004", "form": {"reason": SECRET}})
    backup = tmp_path / "backup.key"
    backup.write_bytes((data / "keys" / "outbox.key").read_bytes())
    (data / "keys" / "outbox.key").unlink()
    listed = kiosk(config, "list")
    assert "OUTBOX UNAVAILABLE" in listed.stdout and not (data / "keys" / "outbox.key").exists()
    wrong = tmp_path / "wrong.key"
    wrong.write_bytes(bytes(32))
    refused = kiosk(config, "restore-key", str(wrong))
    assert refused.returncode == 1 and "does not open" in refused.stderr and not (data / "keys" / "outbox.key").exists()
    if os.geteuid() == 0:  # the service's user owns the data: a root technician must not leave root-owned files
        os.chown(data / "outbox.db", 65534, 65534)
    restored = kiosk(config, "restore-key", str(backup))
    assert restored.returncode == 0, restored.stderr
    if os.geteuid() == 0:
        owned = [p for p in [*data.iterdir(), *(data / "keys").iterdir()] if p.name.startswith("outbox")]  # the key apart (keys/)
        assert {p.name for p in owned} >= {"outbox.db", "outbox.key"} and all(p.stat().st_uid == 65534 for p in owned), owned
    assert Outbox(data / "outbox.db", data / "keys" / "outbox.key", TERMINAL).unavailable == ""


def test_the_tool_never_creates_a_key(tmp_path: Path) -> None:
    config, data = _config(tmp_path), tmp_path / "data"
    data.mkdir()
    outbox = Outbox(data / "outbox.db", data / "keys" / "outbox.key", TERMINAL)
    entry = outbox.enqueue({"item_code": "CQ-RS-0004", "form": {}})
    outbox.mark_delivered(entry.id, "CQ20261202000001")
    outbox.close()
    (data / "keys" / "outbox.key").unlink()
    listed = kiosk(config, "list", "--all")
    assert listed.returncode == 0 and "delivered" in listed.stdout and not (data / "keys" / "outbox.key").exists()
