"""``kiosk ime candidates PINYIN [--json]``, ``kiosk ime recognize STROKES`` and ``kiosk ime status``:
what the keyboard (and the handwriting pad) would offer.

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
    hand = ime_sub.add_parser("recognize", help="handwriting: ranked characters for strokes (JSON)")
    hand.add_argument("strokes", help='JSON list of strokes, each a list of [x, y] points (y down): "[[[40,150],[260,150]]]"')
    hand.add_argument("--size", type=float, default=300, help="side of the square pad the points are on")
    hand.add_argument("--json", action="store_true")
    hand.set_defaults(func=_recognize)
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


def _recognize(args: argparse.Namespace) -> int:
    from kiosk.ime.handwriting import recognize

    try:
        strokes = [[(float(x), float(y)) for x, y in stroke] for stroke in json.loads(args.strokes)]
    except (ValueError, TypeError) as exc:
        print(f"strokes are not a JSON list of [x, y] lists: {exc}")
        return 2
    ranked = recognize(strokes, args.size)
    print(json.dumps({"candidates": ranked}, ensure_ascii=False) if args.json else " ".join(ranked))
    return 0 if ranked else 1


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
