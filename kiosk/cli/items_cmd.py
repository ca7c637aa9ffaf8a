"""``kiosk items validate DIR``: check an item catalog and print every problem, one per line."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from kiosk.items import validate_dir


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("items", help="item configurations (事项配置)")
    items_sub = parser.add_subparsers(dest="items_command", metavar="ACTION")
    check = items_sub.add_parser("validate", help="validate an item catalog directory")
    check.add_argument("directory")
    check.set_defaults(func=_validate)


def _validate(args: argparse.Namespace) -> int:
    result = validate_dir(args.directory)
    if result.problems:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"{len(result.problems)} problem(s) in {args.directory}", file=sys.stderr)
        return 1
    docs = [doc for _, doc in result.items.values()]
    situations = sum(len(d["situations"]) for d in docs)
    materials = sum(len(d["materials"]) for d in docs)
    categories = Counter(d["category"] for d in docs)
    print(f"{args.directory}: ok — {len(docs)} item(s), {situations} situation(s), {materials} material(s), "
          f"{len(result.life_events)} life event(s), {len(result.templates)} template(s)")
    print("categories: " + ", ".join(f"{k} {v}" for k, v in sorted(categories.items())))
    return 0
