"""``kiosk xfs serve``: the devices as XFS4IoT services for diagnostics tools (docs/xfs.md)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from kiosk.settings import load_config
from kiosk.xfs.server import DEFAULT_PORT, XfsServer, check_loopback


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("xfs", help="XFS4IoT (CWA 17852) service for diagnostics tools")
    xfs_sub = parser.add_subparsers(dest="xfs_command", metavar="ACTION")
    serve = xfs_sub.add_parser("serve", help="open the devices of a stopped kiosk and serve them on ws://127.0.0.1")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to bind (127.0.0.1 or ::1; nothing else)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"publisher port (default {DEFAULT_PORT})")
    serve.add_argument("--token-dir", help="where xfs.token is written (mode 0600; default: the config's data_dir)")
    serve.set_defaults(func=_serve)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _serve(args: argparse.Namespace) -> int:
    from kiosk.xfs.standalone import serve_standalone

    check_loopback(args.host)  # before any device is opened
    config = load_config(args.config)

    def ready(server: XfsServer, token_file: Path | None) -> None:
        print(f"XFS4IoT service publisher: {server.url}", flush=True)
        print(f"token: {token_file} (send 'Authorization: Bearer <token>' or ?token=)", flush=True)

    asyncio.run(serve_standalone(config, host=args.host, port=args.port, token_dir=Path(args.token_dir) if args.token_dir else None, ready=ready))
    return 0
