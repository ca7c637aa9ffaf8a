"""``kiosk platform serve | report``: the 渝快办 platform emulator as a foreground HTTP server, and what its DB says.

``report`` reads the emulator's own tables (per-terminal acknowledgements of a configuration version),
so it lives with the emulator, not in ``kiosk admin``: a real platform has its own reports.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

import sqlite_utils

from kiosk.errors import ConfigError
from sim.platform.fleet import rollout_report
from sim.platform.server import serve


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("platform", help="the 渝快办 platform emulator (simulators)")
    platform_sub = parser.add_subparsers(dest="platform_command", metavar="ACTION")
    serve_p = platform_sub.add_parser("serve", help="serve the platform API (contract at /openapi.json)")
    serve_p.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    serve_p.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
    serve_p.add_argument("--db", default=":memory:", help="SQLite file for state (default: in memory)")
    serve_p.add_argument("--bundles", default=None, help="directory of config bundles served at /bundles/{name}")
    serve_p.add_argument("--stage-seconds", type=float, default=60.0, help="seconds each case state lasts (受理→审核→办结)")
    serve_p.set_defaults(func=_serve)
    report = platform_sub.add_parser("report", help="per-terminal acknowledgements of a configuration version (emulator DB)")
    report.add_argument("version")
    report.add_argument("--db", required=True, help="the emulator's SQLite file (serve --db)")
    report.set_defaults(func=_report)


def _serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        print(f"kiosk: port {args.port} out of range", file=sys.stderr)
        return 2
    print(f"渝快办 platform emulator on http://{args.host}:{args.port} (contract: /openapi.json)", flush=True)
    try:
        serve(args.host, args.port, args.db, args.bundles, args.stage_seconds)
    except OSError as exc:
        print(f"kiosk: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def _report(args: argparse.Namespace) -> int:
    if not Path(args.db).is_file():
        raise ConfigError(f"{args.db}: no such platform database")
    db = sqlite_utils.Database(sqlite3.connect(args.db))
    print(json.dumps(rollout_report(db, args.version), ensure_ascii=False))
    return 0
