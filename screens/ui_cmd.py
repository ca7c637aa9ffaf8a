"""``kiosk ui``: the Kivy kiosk window, or the headless UI demo into out/demo.

It lives in screens/ (the only package that imports kivy); kivy itself is imported only inside
``func``, so listing the CLI's commands works on a machine without the UI extra.
"""

from __future__ import annotations

import argparse
import os


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("ui", help="the kiosk window; --demo adds the developer panel (headless: renders out/demo)")
    parser.add_argument("--demo", action="store_true", help="emulated devices + developer panel; without a display, "
                        "render every screen headless into --out")
    parser.add_argument("--headless", action="store_true", help="render the headless demo even when a display exists")
    parser.add_argument("--out", default="out/demo", help="headless demo output directory")
    parser.add_argument("--orientation", choices=("portrait", "landscape"), default=None)
    parser.add_argument("--layout", action="append", choices=("portrait", "landscape", "elder-portrait"),
                        help="headless demo: only these layouts (default: all three)")
    parser.add_argument("--no-devices", action="store_true", help="--story: do not open the sim devices")
    parser.add_argument("--story", action="store_true", help="scripted story port instead of the flow engine")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from screens.demo.interactive import has_display

    if args.headless or (args.demo and not has_display()):
        from screens.demo.headless import main as headless_main

        argv = ["--out", args.out]
        for layout in args.layout or []:
            argv += ["--layout", layout]
        return headless_main(argv)
    from kiosk.settings.loader import load_config
    from screens.demo.interactive import run_window

    config = load_config(getattr(args, "config", None) or os.environ.get("KIOSK_CONFIG"))
    orientation = args.orientation or config.terminal.orientation
    return run_window(orientation, demo=args.demo, fullscreen=config.ui.fullscreen and not args.demo,
                      config=config, devices=not args.no_devices, story=args.story)
