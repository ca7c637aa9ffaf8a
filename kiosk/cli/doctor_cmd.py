"""``kiosk doctor [--json]``: every device's status, platform, disk and font; non-zero if not ready."""

from __future__ import annotations

import argparse
import json

from kiosk.doctor import run_doctor
from kiosk.settings import load_config


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("doctor", help="check devices, platform, disk and fonts")
    parser.add_argument("--json", action="store_true", help="machine-readable report (docs/doctor.md)")
    parser.set_defaults(func=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    report = run_doctor(load_config(args.config))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return 0 if report["ok"] else 1
    print(f"terminal {report['terminal']}")
    for device in report["devices"]:
        mark = "ok " if device["online"] else ("!! " if device["required"] else "-- ")
        extra = f" — {device['description']}" if device["description"] else ""
        action = f" (action: {device['action']})" if device["action"] else ""
        print(f"  {mark}{device['name']:<10} {device['state']:<15} {device['url']}{extra}{action}")
    print(f"  platform  {'ok ' if report['platform']['reachable'] else '!! '}{report['platform']['url']} {report['platform']['detail']}")
    print(f"  disk      {report['disk']['free_mb']} MiB free at {report['disk']['path']}")
    font = report["font"]
    print(f"  font      {font.get('family', '')} {font.get('path', font.get('detail', ''))}")
    if report["problems"]:
        print("NOT READY:")
        for problem in report["problems"]:
            print(f"  - {problem}")
        return 1
    print("ready")
    return 0
