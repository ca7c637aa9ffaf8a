"""``kiosk platform serve``: the embedded 渝快办 platform emulator as a foreground HTTP server."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("platform", help="the 渝快办 platform emulator")
    platform_sub = parser.add_subparsers(dest="platform_command", metavar="ACTION")
    serve = platform_sub.add_parser("serve", help="serve the platform API (contract at /openapi.json)")
    serve.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
    serve.add_argument("--db", default=":memory:", help="SQLite file for state (default: in memory)")
    serve.add_argument("--bundles", default=None, help="directory of config bundles served at /bundles/{name}")
    serve.add_argument("--stage-seconds", type=float, default=60.0, help="seconds each case state lasts (受理→审核→办结)")
    serve.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    from sim.platform.server import serve

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
