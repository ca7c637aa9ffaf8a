"""``kiosk maint selftest | pin-hash | totp-secret``: maintenance mode, headless.

``selftest`` opens every configured device and the platform link, runs the same suite as the
maintenance screen (kiosk.maint.selftest), audits it in <data_dir>/kiosk.db and exits 0 only when
every step passed. ``--json`` prints the report (one object: at, terminal, passed, results[]).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from typing import Any

from kiosk.maint import totp
from kiosk.maint.selftest import STEPS


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("maint", help="maintenance mode (technician): self-test, PIN hashes, TOTP secret")
    maint = parser.add_subparsers(dest="maint_command", metavar="ACTION")
    p = maint.add_parser("selftest", help="test every device and the platform round trip")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--only", action="append", choices=[s[0] for s in STEPS], help="run only this step (repeatable)")
    p.add_argument("--no-platform", action="store_true", help="skip opening the platform link")
    p.add_argument("--upload", action="store_true", help="send the results to the platform with one heartbeat")
    p.set_defaults(func=_selftest)
    p = maint.add_parser("pin-hash", help="hash a technician PIN for [maintenance] technicians (reads the PIN from stdin or a prompt)")
    p.set_defaults(func=_pin_hash)
    p = maint.add_parser("totp-secret", help="a new TOTP secret for [maintenance] totp_secret and its otpauth:// URI")
    p.add_argument("--terminal", default="KIOSK")
    p.set_defaults(func=_totp_secret)


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    from kiosk.assembly import assemble
    from kiosk.maint.selftest import heartbeat_summary, run_selftest
    from kiosk.settings import load_config

    assembly = assemble(load_config(args.config))
    terminal, fleet = assembly.terminal, assembly.fleet
    if args.no_platform:
        terminal.services.pop("platform", None)
    try:
        await terminal.start()
        report = await run_selftest(terminal, args.only)
        if args.upload and not args.no_platform and fleet.agent is not None:
            fleet.agent.selftest = heartbeat_summary(report)
            report["uploaded"] = await fleet.agent.beat()
        assembly.audit.append("technician-cli", "maint.selftest", passed=report["passed"],
                              failed=[r["name"] for r in report["results"] if not r["ok"]])
    finally:
        fleet.counters.close()
        await assembly.services.aclose()
    return report


def _selftest(args: argparse.Namespace) -> int:
    report = asyncio.run(_run(args))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for r in report["results"]:
            mark = "SKIP" if r["skipped"] else ("ok  " if r["ok"] else "FAIL")
            print(f"{mark} {r['name']:<24} {r['duration_s']:6.2f}s  {r['detail']}")
        print("self-test " + ("passed" if report["passed"] else "FAILED"))
    return 0 if report["passed"] else 1


def _pin_hash(args: argparse.Namespace) -> int:
    pin = sys.stdin.readline().strip() if not sys.stdin.isatty() else getpass.getpass("PIN: ")
    try:
        print(totp.hash_pin(pin))
    except ValueError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    return 0


def _totp_secret(args: argparse.Namespace) -> int:
    secret = totp.new_secret()
    print(secret)
    print(totp.provisioning_uri(secret, args.terminal))
    return 0
