"""``kiosk ui``: the demo window on emulated devices, or the headless UI demo into out/demo.

A simulators' command (entry point ``kiosk.commands`` ``ui``); kivy is imported only inside ``func``,
so listing the CLI's commands works on a machine without the UI extra. The terminal's own
locked-down window is ``kiosk run``.
"""

from __future__ import annotations

import argparse
import os


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("ui", help="--demo: the window on emulated devices with the developer panel "
                            "(without a display: render every screen headless into --out)")
    parser.add_argument("--demo", action="store_true", help="emulated devices + developer panel; without a display, "
                        "render every screen headless into --out")
    parser.add_argument("--headless", action="store_true", help="render the headless demo even when a display exists")
    parser.add_argument("--out", default="out/demo", help="headless demo output directory")
    parser.add_argument("--orientation", choices=("portrait", "landscape"), default=None)
    parser.add_argument("--layout", action="append", choices=("portrait", "landscape", "elder-portrait"),
                        help="headless demo: only these layouts (default: all three)")
    parser.add_argument("--scale", type=float, default=None, help="window size factor, 0.2–1 (default: the largest that fits the display)")
    parser.add_argument("--control", default="", metavar="SOCKET",
                        help="answer where buttons are and what is shown on this Unix socket (automated runs)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from sim.ui.interactive import has_display

    if args.headless or not has_display():
        from sim.ui.headless import main as headless_main

        argv = ["--out", args.out]
        for layout in args.layout or []:
            argv += ["--layout", layout]
        return headless_main(argv)
    if not args.demo:
        print("kiosk ui: the window needs --demo (emulated devices); the terminal itself is `kiosk run`", file=__import__("sys").stderr)
        return 2
    if args.scale is not None and not 0.2 <= args.scale <= 1.0:
        print("kiosk ui: --scale must be between 0.2 and 1", file=__import__("sys").stderr)
        return 2
    from sim.config import demo_config
    from sim.ui.interactive import run_window

    config = demo_config(getattr(args, "config", None))
    return run_window(config, args.orientation, scale=args.scale, control=args.control)
