"""No residue (issue 16.4): what the terminal's stores, logs and print setup keep after personal data is wiped.

Each test looks at the bytes on disk (the database file, its WAL, the log file, cupsd.conf), not at an API."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

from kiosk.admin.install import cups_keeps_no_job_files
from kiosk.logging_setup import configure_logging
from kiosk.store import AuditTrail, Store
from kiosk.terminal.outbox import Outbox

NAME = "欧阳秀英"
ID_NUMBER = "500112198703152620"
PHONE = "13812345678"
TOKEN = "pt_Zx81Qd0vNcR2mK9sLp4TgYh7"


def pii_hits(blob: bytes) -> list[str]:
    needles = {"name utf-8": NAME.encode(), "name gbk": NAME.encode("gbk"), "name utf-16": NAME.encode("utf-16-le"),
               "id": ID_NUMBER.encode(), "phone": PHONE.encode()}
    return [what for what, needle in needles.items() if needle in blob]


def test_third_party_info_lines_never_reach_the_log_and_tokens_are_redacted(tmp_path: Path) -> None:
    log_file = tmp_path / "kiosk.jsonl"
    configure_logging("INFO", log_file)
    try:
        logging.getLogger("fontTools.subset").info("Glyph IDs: [0, 2043, 18871, 30051]")  # the name, as glyph ids
        logging.getLogger("httpx").info(f'HTTP Request: GET https://p/v1/persons/{TOKEN}/licenses "HTTP/1.1 200 OK"')
        logging.getLogger("PIL.PngImagePlugin").info("STREAM b'IHDR'")
        logging.getLogger("kiosk.flows").warning(f"shared data for {TOKEN} slow; GET /v1/cases?person_token={TOKEN[3:]}")
        logging.getLogger("httpx").warning(f"retrying https://p/v1/persons/{TOKEN}/shared-data")
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
    text = log_file.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert "Glyph IDs" not in text and "IHDR" not in text and "HTTP Request" not in text
    assert TOKEN not in text and TOKEN[3:] not in text
    assert [line["logger"] for line in lines] == ["kiosk.flows", "httpx"] and "pt_***" in lines[0]["msg"]
    configure_logging("WARNING", None)


def test_a_delivered_application_leaves_nothing_in_the_outbox_file_its_wal_or_free_pages(tmp_path: Path) -> None:
    """The payload is sealed, so to make the check meaningful the row also carries plaintext receipt data the way an
    older version's summary column did: after delivery and the scrub no byte of it is anywhere in the files."""
    (tmp_path / "keys").mkdir()
    outbox = Outbox(tmp_path / "outbox.db", tmp_path / "keys" / "outbox.key", "CQ-500112-T001")
    entry = outbox.enqueue({"item_code": "CQ-RS-0004", "form": {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}})
    conn = sqlite3.connect(tmp_path / "outbox.db", isolation_level=None)
    conn.execute("UPDATE outbox SET last_error = ? WHERE id = ?", [f"{NAME} {ID_NUMBER} {PHONE}" * 50, entry.id])  # plaintext PII
    conn.close()
    assert pii_hits(b"".join(p.read_bytes() for p in tmp_path.glob("outbox.db*")))  # it is there before the delivery
    outbox.mark_delivered(entry.id, "CASE-1")  # wipes the payload and the error, then truncates the WAL
    files = {p.name: p.read_bytes() for p in tmp_path.glob("outbox.db*")}
    assert files.get("outbox.db-wal", b"") == b"", "WAL not truncated"
    assert [(name, pii_hits(blob)) for name, blob in files.items() if pii_hits(blob)] == []
    outbox.close()


def test_a_wiped_checkpoint_leaves_nothing_in_the_store_its_wal_or_free_pages(tmp_path: Path) -> None:
    store = Store(tmp_path / "kiosk.db")
    AuditTrail(store).append("terminal", "session.started", session="s1")
    store.db().execute("INSERT INTO checkpoints (session_id, state, item_code, payload, updated_at) VALUES (?, ?, ?, ?, ?)",
                       ["s1", "form", "X", f"{NAME}|{ID_NUMBER}|{PHONE}".encode() * 100, 0.0])
    store.db().execute("DELETE FROM checkpoints WHERE session_id = 's1'")
    assert store.scrub()
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("kiosk.db*"))
    assert pii_hits(blob) == [] and (tmp_path / "kiosk.db-wal").stat().st_size == 0
    store.close()


def test_install_service_turns_off_cups_job_files(tmp_path: Path) -> None:
    conf = tmp_path / "etc/cups/cupsd.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("LogLevel warn\nPreserveJobFiles 1d\nPreserveJobHistory Yes\n", encoding="utf-8")
    written: list[Path] = []
    cups_keeps_no_job_files(conf, written)
    lines = conf.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.lower().startswith("preservejobfiles")] == ["PreserveJobFiles No"] and written == [conf]
    assert "LogLevel warn" in lines
    cups_keeps_no_job_files(conf, written := [])  # idempotent
    assert written == []
    cups_keeps_no_job_files(tmp_path / "no-cups/cupsd.conf", written)  # no CUPS: nothing written
    assert written == []
