"""``kiosk audit verify [--db PATH]``: check the audit chain and name the first bad record."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.settings import load_config
from kiosk.store import AuditTrail, Store


def default_db_path(config_path: str | None) -> Path:
    return load_config(config_path).terminal.data_path() / "kiosk.db"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("audit", help="the tamper-evident audit trail")
    audit_sub = parser.add_subparsers(dest="audit_command", metavar="ACTION")
    verify = audit_sub.add_parser("verify", help="verify the hash chain")
    verify.add_argument("--db", help="store file (default: <data_dir>/kiosk.db)")
    verify.set_defaults(func=_verify)


def _verify(args: argparse.Namespace) -> int:
    path = Path(args.db) if args.db else default_db_path(args.config)
    if not path.exists():
        print(f"kiosk: no store at {path}", file=sys.stderr)
        return 1
    result = AuditTrail(Store(path)).verify()
    if result.ok:
        print(f"audit trail ok: {result.checked} record(s) verified")
        return 0
    print(f"audit trail BROKEN at record {result.first_bad_seq}: {result.problem} ({result.checked} record(s) before it verified)")
    return 1
