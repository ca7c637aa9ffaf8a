"""Every store that must survive a power cut commits with synchronous=FULL; any other SQLite file says why it need not."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from kiosk.content import items_dir
from kiosk.fleet.configs import ConfigBundles
from kiosk.store.audit import AuditTrail
from kiosk.store.database import Store
from kiosk.terminal.outbox import Outbox

REPO = Path(__file__).resolve().parents[2]
FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA

#: Each sqlite3.connect outside the two stores, and why a power cut cannot cost anything there.
NOT_A_STORE = {
    "kiosk/ime/store.py": "the IME lexicon: a cache compiled from shipped data, rebuilt when missing or torn",
    "kiosk/knowledge/base.py": "the FAQ index: rebuilt from the shipped content at every start",
    "kiosk/store/audit_verify.py": "kiosk audit verify: read-only (mode=ro / immutable=1), writes no byte",
    "kiosk/flows/recovery.py": "read-only (mode=ro) look-up in outbox.db",
    "kiosk/flows/citizen/case_lookup.py": "read-only (mode=ro) look-up in outbox.db",
    "kiosk/flows/citizen/case_status.py": "read-only (mode=ro) look-up in outbox.db",
}
STORES = {"kiosk/store/database.py", "kiosk/terminal/outbox/store.py"}


def _synchronous(conn: object) -> int:
    return int(conn.execute("PRAGMA synchronous").fetchone()[0])  # type: ignore[attr-defined]


def test_kiosk_db_runs_full_on_every_thread_s_connection(tmp_path: Path) -> None:
    store = Store(tmp_path / "kiosk.db")
    AuditTrail(store).append("terminal", "test")
    ConfigBundles(tmp_path / "config-bundles", items_dir(), "", store=store)  # the config pointer's mirror shares it
    seen: list[int] = []
    worker = threading.Thread(target=lambda: seen.append(_synchronous(store.db().conn)))
    worker.start()
    worker.join()
    assert _synchronous(store.db().conn) == FULL and seen == [FULL]
    assert store.db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_outbox_runs_full(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db", tmp_path / "outbox.key", "CQ-500112-T001")
    try:
        assert _synchronous(outbox._conn) == FULL
        assert outbox._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        outbox.close()


def test_every_sqlite_connection_in_the_product_is_a_full_store_or_says_why_not() -> None:
    found = set()
    for folder in ("kiosk", "drivers"):
        for path in (REPO / folder).rglob("*.py"):
            if re.search(r"sqlite3\.connect\(", path.read_text(encoding="utf-8")):
                found.add(path.relative_to(REPO).as_posix())
    unexplained = found - STORES - set(NOT_A_STORE)
    assert not unexplained, f"new SQLite files: FULL like kiosk/store/database.py, or listed here with the reason: {sorted(unexplained)}"
    for rel in STORES:
        assert "PRAGMA synchronous" in (REPO / rel).read_text(encoding="utf-8") and "FULL" in (REPO / rel).read_text(encoding="utf-8")
