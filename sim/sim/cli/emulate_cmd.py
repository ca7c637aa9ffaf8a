"""``kiosk emulate idcard|printer``: a device emulator as its own process (a SAM on a pty, an ESC/POS printer on TCP 9100).

For a driver or another program to talk to over the real wire; the terminal itself reaches the same
emulators through ``sim:`` device URLs.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from typing import Any

from sim.devices.idcard.emulator import SamEmulator, load_cards
from sim.devices.printer.emulator import PrinterEmulator


def register(sub: Any) -> None:
    parser = sub.add_parser("emulate", help="run a device emulator until interrupted (simulators)")
    devices = parser.add_subparsers(dest="device", required=True)
    emulate = devices.add_parser("idcard", help="run a SAM emulator on a pty until interrupted")
    emulate.add_argument("--card", default="", help="card id to place on the reader (see --list)")
    emulate.add_argument("--cards", default=None, help="JSON file of cards (default: the shipped demo cards)")
    emulate.add_argument("--link", default=None, help="symlink to create for the pty, e.g. /tmp/ttyIDCARD")
    emulate.add_argument("--fault", default=None, help="bad_checksum | no_card | garbage | noise | silence")
    emulate.add_argument("--fault-reads-only", action="store_true", help="inject the fault only into card data reads (30 xx)")
    emulate.add_argument("--wire-speed", action="store_true", help="pace bytes at 115200 8N1")
    emulate.add_argument("--list", action="store_true", help="list the card ids and exit")
    emulate.set_defaults(func=_emulate_idcard)
    emulate = devices.add_parser("printer", help="run the TCP 9100 printer emulator until Ctrl-C")
    emulate.add_argument("--host", default="127.0.0.1")
    emulate.add_argument("--port", type=int, default=9100)
    emulate.add_argument("--paper", choices=["ok", "near_end", "out"], default="ok")
    emulate.add_argument("--silent", action="store_true", help="never answer status queries")
    emulate.add_argument("--jobs", help="directory where each job is saved as job-NNNN.bin and job-NNNN.png")
    emulate.add_argument("--paper-width", choices=["58", "80"], default="80", help="paper of the saved previews (mm)")
    emulate.set_defaults(func=_emulate_printer)


def _emulate_idcard(args: argparse.Namespace) -> int:
    try:
        cards = load_cards(args.cards)
        if args.list:
            for card_id, card in cards.items():
                print(f"{card_id}\t{card.get('card_type', 'resident')}\t{card.get('valid_to', '')}")
            return 0
        emulator = SamEmulator(cards, wire_speed=args.wire_speed, link=args.link)
        emulator.set_fault(args.fault, {0x30} if args.fault_reads_only else None)
        if args.card:
            emulator.insert(args.card)
    except (OSError, ValueError, KeyError) as exc:
        print(f"idcard emulate failed: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print(emulator.start(), flush=True)
        _control_loop(emulator)
        signal.pause() if hasattr(signal, "pause") else time.sleep(1e9)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


def _control_loop(emulator: Any) -> None:
    """Optional commands on stdin: insert ID | remove | fault NAME|none | unplug | replug."""
    for line in sys.stdin:
        words = line.split()
        try:
            if words[:1] == ["insert"] and len(words) == 2:
                emulator.insert(words[1])
            elif words[:1] == ["remove"]:
                emulator.remove()
            elif words[:1] == ["fault"] and len(words) == 2:
                emulator.set_fault(None if words[1] == "none" else words[1])
            elif words[:1] == ["unplug"]:
                emulator.unplug()
            elif words[:1] == ["replug"]:
                emulator.replug()
            elif words:
                print("commands: insert ID | remove | fault NAME|none | unplug | replug", file=sys.stderr)
                continue
            print("ok", flush=True)
        except (KeyError, ValueError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)


def _emulate_printer(args: argparse.Namespace) -> int:
    emu = PrinterEmulator(args.host, args.port, job_dir=args.jobs, width_dots=384 if args.paper_width == "58" else 576)
    emu.set_paper(args.paper)
    emu.set_silent(args.silent)
    try:
        emu.start()
    except OSError as exc:
        print(f"kiosk emulate printer: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"printer emulator on {args.host}:{emu.port} (paper {args.paper}); Ctrl-C to stop", flush=True)
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        emu.stop()
