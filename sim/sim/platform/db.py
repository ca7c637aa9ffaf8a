"""The emulator's SQLite database: schema, seed loading, and the few shared lookups.

Seed tables (districts, centres, persons, licenses, items, faq) are reloaded from ``seed/*.json``
on every start; state tables (terminals, applications, materials …) persist in the ``--db`` file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from importlib import resources
from typing import Any

import sqlite_utils

STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS terminals (terminal_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, district_code TEXT NOT NULL,
    hall TEXT, registered_at INTEGER NOT NULL, last_seen INTEGER, last_heartbeat TEXT);
CREATE TABLE IF NOT EXISTS commands (command_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, type TEXT NOT NULL, args TEXT NOT NULL,
    issued_at INTEGER NOT NULL, acked_at INTEGER);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, person_key TEXT NOT NULL, method TEXT NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS materials (sha256 TEXT PRIMARY KEY, media_type TEXT NOT NULL, size INTEGER NOT NULL, content BLOB NOT NULL,
    terminal_id TEXT NOT NULL, stored_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS applications (case_id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL, terminal_id TEXT NOT NULL,
    body_sha256 TEXT NOT NULL, item_code TEXT NOT NULL, mode TEXT NOT NULL, person_key TEXT NOT NULL, receiving_district TEXT NOT NULL,
    handling_district TEXT NOT NULL, body TEXT NOT NULL, accepted_at INTEGER NOT NULL, terminal_receipt TEXT NOT NULL, result_document TEXT,
    UNIQUE (terminal_id, idempotency_key));
CREATE TABLE IF NOT EXISTS submit_log (id INTEGER PRIMARY KEY, case_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, replayed INTEGER NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS evaluations (evaluation_id TEXT PRIMARY KEY, case_id TEXT UNIQUE, item_code TEXT, score INTEGER NOT NULL,
    comment TEXT, terminal_id TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS appointments (appointment_id TEXT PRIMARY KEY, centre_id TEXT NOT NULL, item_code TEXT NOT NULL,
    slot_start INTEGER NOT NULL, person_key TEXT NOT NULL, check_in_code TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tickets (ticket_no TEXT NOT NULL, centre_id TEXT NOT NULL, day TEXT NOT NULL, seq INTEGER NOT NULL,
    priority TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (centre_id, day, seq));
CREATE TABLE IF NOT EXISTS complaints (complaint_id TEXT PRIMARY KEY, category TEXT NOT NULL, description TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS help_requests (request_id TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL);
"""


# What heartbeats acknowledge (fleet.py): command results, config acks, log uploads, self-tests.
FLEET_SCHEMA = """
CREATE TABLE IF NOT EXISTS command_results (command_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, ok INTEGER NOT NULL,
    result TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS config_acks (terminal_id TEXT NOT NULL, target TEXT NOT NULL, state TEXT NOT NULL, version TEXT NOT NULL,
    reason TEXT, at INTEGER NOT NULL, PRIMARY KEY (terminal_id, target, state));
CREATE TABLE IF NOT EXISTS log_uploads (sha256 TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, size INTEGER NOT NULL, content BLOB NOT NULL,
    at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS selftests (terminal_id TEXT PRIMARY KEY, at REAL NOT NULL, passed INTEGER NOT NULL, body TEXT NOT NULL);
"""

def load_seed(name: str) -> dict[str, Any]:
    text = resources.files("sim.platform").joinpath("seed", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


def open_db(path: str) -> sqlite_utils.Database:
    """Open (or create) the emulator DB and reload the seed tables."""
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    db = sqlite_utils.Database(conn)
    conn.executescript(STATE_SCHEMA)
    conn.executescript(FLEET_SCHEMA)
    _load_seed(db)
    return db


def _load_seed(db: sqlite_utils.Database) -> None:
    districts = load_seed("districts")["districts"]
    items = load_seed("items")["items"]
    item_codes = [i["code"] for i in items]
    names = {d["code"]: d["name"] for d in districts}
    centres = [{**c, "district_name": names[c["district_code"]], "items": json.dumps(item_codes)} for c in load_seed("centres")["centres"]]
    persons, licenses = [], []
    for person in load_seed("persons")["persons"]:
        for index, lic in enumerate(person["licenses"]):
            license_id = f"LIC-{person['key']}-{lic['type_code']}-{index + 1}".replace("_", "")
            digest = hashlib.sha256(json.dumps({"id": license_id, **lic}, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
            licenses.append({"license_id": license_id, "person_key": person["key"], "sha256": digest, **{k: lic[k] for k in ("type_code", "name", "issuer", "issued_on", "valid_until")},
                             "fields": json.dumps(lic["fields"], ensure_ascii=False)})
        persons.append({**{k: v for k, v in person.items() if k != "licenses"}, "insurance": json.dumps(person["insurance"], ensure_ascii=False)})
    tables: list[tuple[str, list[dict[str, Any]], str]] = [
        ("districts", districts, "code"),
        ("centres", centres, "centre_id"),
        ("persons", persons, "key"),
        ("licenses", licenses, "license_id"),
        ("items", [{**i, "modes": json.dumps(i["modes"]), "guide": json.dumps(i["guide"], ensure_ascii=False)} for i in items], "code"),
        ("faq", load_seed("knowledge")["faq"], "id"),
    ]
    with db.conn:
        for name, rows, pk in tables:
            db[name].drop(ignore=True)
            db[name].insert_all(rows, pk=pk)


def row(db: sqlite_utils.Database, sql: str, params: tuple[Any, ...] = ()) -> dict[str, Any] | None:
    cursor = db.conn.execute(sql, params)
    found = cursor.fetchone()
    if found is None:
        return None
    return dict(zip([c[0] for c in cursor.description], found))


def rows(db: sqlite_utils.Database, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    cursor = db.conn.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]
