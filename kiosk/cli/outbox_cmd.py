"""``kiosk outbox list|show|redrive|export|restore-key``: a technician's tool for applications not yet delivered.

The running terminal's delivery worker reads the same ``outbox.db``: a re-driven entry (or, after
``restore-key``, every waiting one) goes out on its next round, without a restart. Reasons are shown
masked; no form value is printed. Run as root, the tool never leaves a root-owned file in the data dir
(the -wal/-shm SQLite creates, a restored key): they get the owner of outbox.db, the service's user.
It never creates outbox.key.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.errors import StoreError
from kiosk.security.keydir import key_path, keys_dir
from kiosk.settings import load_config
from kiosk.terminal.outbox.crypto import install_key, opens, read_key
from kiosk.terminal.outbox.export import export_entry, reason, summary
from kiosk.terminal.outbox.store import Outbox


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("outbox", help="applications waiting for the platform: list, re-drive, export")
    actions = parser.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="pending, held and dead-letter entries (id, state, age, reason)")
    listing.add_argument("--all", action="store_true", help="delivered ones too")
    listing.set_defaults(func=_list)
    show = actions.add_parser("show", help="one entry (by entry id or receipt number), without personal data")
    show.add_argument("entry")
    show.set_defaults(func=_show)
    redrive = actions.add_parser("redrive", help="put a dead letter back to pending: the terminal delivers it on its next round")
    redrive.add_argument("entry")
    redrive.set_defaults(func=_redrive)
    export = actions.add_parser("export", help="write the entry sealed to FILE (for a window) and FILE.txt, a plain summary")
    export.add_argument("entry")
    export.add_argument("--out", required=True, help="the sealed file; FILE.txt gets the summary")
    export.set_defaults(func=_export)
    restore = actions.add_parser("restore-key", help="put the backed-up outbox.key back (checked against the sealed rows first)")
    restore.add_argument("key_file")
    restore.set_defaults(func=_restore)
    for action in (listing, show, redrive, export, restore):
        action.set_defaults(func=_owned(action.get_default("func")))


def _owned(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        finally:
            keep_owner(load_config(args.config).terminal.data_path())

    return run


def keep_owner(data_dir: Path) -> None:
    """Root leaves no file the service's user cannot open: SQLite's -wal/-shm and outbox.key get outbox.db's owner."""
    db = data_dir / "outbox.db"
    if os.geteuid() != 0 or not db.exists():
        return
    owner = db.stat()
    for path in (db.with_name("outbox.db-wal"), db.with_name("outbox.db-shm"), key_path(data_dir, "outbox.key"), keys_dir(data_dir)):
        if path.exists() and (path.stat().st_uid, path.stat().st_gid) != (owner.st_uid, owner.st_gid):
            os.chown(path, owner.st_uid, owner.st_gid)


def _open(args: argparse.Namespace) -> Outbox:
    config = load_config(args.config)
    data_dir = config.terminal.data_path()
    if not (data_dir / "outbox.db").exists():
        raise StoreError(f"no outbox at {data_dir / 'outbox.db'}")
    return Outbox(data_dir / "outbox.db", key_path(data_dir, "outbox.key"), config.terminal.id, create_key=False, quarantine_corrupt=False)


def _age(created_at: float) -> str:
    seconds = max(0, int(time.time() - created_at))
    return f"{seconds // 86400}d{seconds % 86400 // 3600}h" if seconds >= 86400 else f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _list(args: argparse.Namespace) -> int:
    outbox = _open(args)
    states = ("pending", "held", "rejected", "delivered") if args.all else ("pending", "held", "rejected")
    if outbox.unavailable:
        print(f"OUTBOX UNAVAILABLE: {outbox.unavailable}")
    rows = outbox.entries(states)
    for row in rows:
        print(f"{row['id']}  {row['receipt']}  {row['state']:<9} {_age(row['created_at']):>7}  {reason(row)}")
    stats = outbox.stats()
    print(f"{len(rows)} listed: {stats.depth} pending, {stats.held} held for a catalog sync, {stats.rejected} dead letter(s)")
    return 0


def _show(args: argparse.Namespace) -> int:
    outbox = _open(args)
    row = outbox.get(args.entry)
    if row is None:
        raise StoreError(f"no outbox entry {args.entry}")
    print(json.dumps({**summary(outbox, row), "redriven": row["redriven"], "case_id": row["case_id"]}, ensure_ascii=False, indent=1))
    return 0


def _redrive(args: argparse.Namespace) -> int:
    outbox = _open(args)
    if not outbox.redrive(args.entry):
        row = outbox.get(args.entry)
        raise StoreError(f"{args.entry}: " + (f"is {row['state']}, only a dead letter or held entry is re-driven" if row else "no such entry"))
    print(f"{args.entry}: pending again; the terminal delivers it on its next round")
    return 0


def _export(args: argparse.Namespace) -> int:
    sealed, plain = export_entry(_open(args), args.entry, Path(args.out))
    print(f"sealed: {sealed} (opens only with this terminal's outbox.key)\nsummary: {plain}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    outbox = _open(args)
    key = read_key(Path(args.key_file))
    if key is None:
        raise StoreError(f"{args.key_file}: no such file")
    if not opens(key, outbox.sealed_sample()):
        raise StoreError(f"{args.key_file} does not open the sealed applications: not installed")
    assert outbox.key_path is not None
    install_key(outbox.key_path, key)
    print(f"{outbox.key_path} restored; the terminal delivers the waiting applications on its next round")
    return 0
