"""``kiosk audit verify [--db PATH] [--keys DIR] [--head SEQ:MAC]``: check the audit trail, change nothing.

Exit 0: intact up to its anchors. Exit 1: tampered (the first bad record or the missing range is named).
Exit 2: cannot be verified here (the audit key is missing, no store and no anchor). The store is opened read-only,
never quarantined or migrated: what was there stays there for whoever investigates.
``--head`` checks against the head the platform holds for this terminal (its own copy, beyond this box's reach).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.security.suite import SUITES
from kiosk.settings import load_config
from kiosk.store.audit_keys import Anchor, AuditKeys
from kiosk.store.audit_verify import verify_store

OK, TAMPERED, CANNOT = 0, 1, 2


def default_db_path(config_path: str | None) -> Path:
    return load_config(config_path).terminal.data_path() / "kiosk.db"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("audit", help="the tamper-evident audit trail")
    audit_sub = parser.add_subparsers(dest="audit_command", metavar="ACTION")
    verify = audit_sub.add_parser("verify", help="verify the MAC chain against its anchors (read-only)")
    verify.add_argument("--db", help="store file (default: <data_dir>/kiosk.db)")
    verify.add_argument("--keys", help="the keys directory with audit.key and the anchors (default: keys/ beside the store)")
    verify.add_argument("--head", help="SEQ:MAC of the head the platform acknowledged last (from the platform's records)")
    verify.add_argument("--suite", choices=SUITES, default=SUITES[0], help="MAC suite of the anchors (default %(default)s)")
    verify.set_defaults(func=_verify)


def _platform_head(text: str | None) -> Anchor | None:
    if not text:
        return None
    seq, _, mac = text.partition(":")
    if not seq.isdigit() or not mac:
        raise SystemExit(f"kiosk: --head wants SEQ:MAC, got {text!r}")
    return Anchor(int(seq), mac.lower())


def _verify(args: argparse.Namespace) -> int:
    path = Path(args.db) if args.db else default_db_path(args.config)
    keys = AuditKeys(Path(args.keys) if args.keys else path.parent / "keys", args.suite)
    platform_head = _platform_head(args.head)
    if keys.read_key() is None:
        print(f"kiosk: audit key {keys.key_file} missing: the trail cannot be verified (restore the backed-up key)", file=sys.stderr)
        return CANNOT
    if not path.exists() and not keys.head_file.exists() and platform_head is None:
        print(f"kiosk: no store at {path}", file=sys.stderr)
        return CANNOT
    result = verify_store(path, keys, platform_head)
    notes = "".join(f"; {n}" for n in result.notes)
    if result.ok:
        print(f"audit trail ok: {result.checked} record(s) verified{notes}")
        return OK
    where = f" at record {result.first_bad_seq}" if result.first_bad_seq is not None else ""
    print(f"audit trail BROKEN{where}: {result.problem} ({result.checked} record(s) before it verified)")
    return TAMPERED
