"""``kiosk simulate --item CODE --persona NAME [--mode M] [--agent] [--elder]``: run an item end to end.

Headless: the real drivers against their sim emulators and the embedded platform (the default
config), a scripted citizen (sim/sim/personas.json) sending the same intents as the touch screen.
Each step is printed (personal data masked). ``--all`` runs every catalog item and life event.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from kiosk.items.vocab import HANDLING_MODES


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("simulate", help="run an item end to end on emulated devices (headless)")
    parser.add_argument("--item", help="item or 一件事 (life event) code (see --list)")
    parser.add_argument("--persona", default="zhangsan", help="demo persona from sim/sim/personas.json (default zhangsan)")
    parser.add_argument("--mode", choices=sorted(HANDLING_MODES), help="handling mode to choose on the confirm screen")
    parser.add_argument("--agent", action="store_true", help="代办: the persona acts for a principal")
    parser.add_argument("--elder", action="store_true", help="适老化 mode: every step spoken, slower timeouts")
    parser.add_argument("--notice", action="store_true", help="also print the 一次性告知书 at the guide step")
    parser.add_argument("--all", action="store_true", help="run every catalog item and life event")
    parser.add_argument("--out", help="directory for the rendered (masked) receipt PNGs")
    parser.add_argument("--list", action="store_true", help="list item codes and personas")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from sim.config import demo_config

    config = demo_config(args.config)
    if args.list:
        return _list()
    if not args.item and not args.all:
        print("kiosk simulate: give --item CODE (or --all, --list)", file=sys.stderr)
        return 2
    return asyncio.run(_simulate(config, args))


def _list() -> int:
    from sim.robot import load_personas
    from kiosk.content import items_dir
    from kiosk.items import load_catalog

    catalog = load_catalog(items_dir())
    for item in catalog.items.values():
        print(f"{item.code}  {item.name}")
    for life_event in catalog.life_events.values():
        print(f"{life_event.code}  {life_event.name}（一件事）")
    print("personas: " + ", ".join(load_personas()))
    return 0


async def _simulate(config: object, args: argparse.Namespace) -> int:
    from sim.simulate import Simulator

    sim = await Simulator.open(config, say=lambda line: print(line, flush=True))  # type: ignore[arg-type]
    try:
        if args.persona not in sim.personas:
            print(f"kiosk simulate: unknown persona {args.persona!r} (known: {', '.join(sim.personas)})", file=sys.stderr)
            return 2
        codes = [args.item] if args.item else [*sim.services.catalog.items, *sim.services.catalog.life_events]
        for code in codes:
            if code not in sim.services.catalog.items and code not in sim.services.catalog.life_events:
                print(f"kiosk simulate: unknown item {code!r} (see kiosk simulate --list)", file=sys.stderr)
                return 2
            run = sim.run_eligible if args.all else sim.run  # --all: another persona where the item's eligibility refuses this one
            result = await run(code, args.persona, mode=args.mode, agent=args.agent, elder=args.elder, print_notice=args.notice,
                               out=Path(args.out) if args.out else None)
            if result.refused:
                print(f"kiosk simulate: {code}: no demo persona is eligible ({result.refused})", flush=True)
            elif not result.receipt:
                print(f"kiosk simulate: {code} ended without a receipt", file=sys.stderr)
                return 1
        return 0
    finally:
        await sim.close()
