"""``kiosk ime candidates PINYIN [--json]`` and ``kiosk ime status``: what the keyboard would offer.

For technicians (is this terminal's IME the real one, what does it guess for ``shebaoka``) and for
acceptance tests. The candidates are the same the keyboard shows, in its order, page after page.
"""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ime", help="input method (输入法): candidates for a pinyin input, engine status")
    ime_sub = parser.add_subparsers(dest="ime_command", metavar="ACTION")
    cands = ime_sub.add_parser("candidates", help="ranked candidates for PINYIN (letters a-z, v for ü)")
    cands.add_argument("pinyin")
    cands.add_argument("--limit", type=int, default=20, help="how many to print (default 20)")
    cands.add_argument("--name", action="store_true", help="as typed into a name field (the name hint)")
    cands.add_argument("--json", action="store_true", help="one JSON object")
    cands.set_defaults(func=_candidates)
    state = ime_sub.add_parser("status", help="which engine runs (librime or the fallback) and why")
    state.add_argument("--json", action="store_true")
    state.set_defaults(func=_status)


def _candidates(args: argparse.Namespace) -> int:
    from kiosk.ime import Composer, load, status

    letters = args.pinyin.strip().lower()
    if not letters or not (letters.isascii() and letters.isalpha()):
        print(f"not pinyin letters: {args.pinyin!r} (a-z, v for ü)")
        return 2
    composer = Composer(load())
    composer.hint = "name" if args.name else ""
    for letter in letters:
        composer.type(letter)
    texts = [c.text for c in composer.candidates(max(1, args.limit))]
    engine = status().engine
    if args.json:
        print(json.dumps({"input": letters, "preedit": composer.preedit, "engine": engine, "candidates": texts},
                         ensure_ascii=False))
    else:
        print(f"{composer.preedit}  ({engine})")
        for rank, text in enumerate(texts, 1):
            print(f"{rank:>3}  {text}")
    composer.close()
    return 0 if texts else 1


def _status(args: argparse.Namespace) -> int:
    """Loads the engine (compiling the domain dictionary if needed: also the way to pre-compile it)."""
    from kiosk.ime import load, status
    from kiosk.ime.health import report

    load()
    state = status()
    health = report()
    if args.json:
        print(json.dumps({"engine": state.engine, "detail": state.detail, "handwriting": health["handwriting"],
                          "compiled": health["compiled"]}, ensure_ascii=False))
    else:
        print(f"{state.engine}: {state.detail}")
        print(f"handwriting: {'zinnia' if health['handwriting'] else 'not available'}")
    return 0 if state.engine == "librime" and health["ok"] else 1
