"""``kiosk device record CLASS --out FILE``: run one technician action and record the device's wire traffic.

The recording (docs/record-replay.md) replays with a ``replay:FILE`` device URL through the same real
driver: a field problem captured once becomes a regression test. A recording of a real card holds the
holder's personal data: the file is created 0600 and the command says so on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kiosk.cli.device_exit import EXIT_CODES, EXIT_DEVICE_CONFIG, exit_code
from kiosk.errors import ConfigError
from kiosk.terminal.completion import Completion, CompletionCode

TEST_PAGE_HOST, TEST_PAGE_TIME = "kiosk-device-record", datetime(2026, 1, 1, 9, 0)

#: What ``--action`` can do per class (the first is the default).
ACTIONS: dict[str, tuple[str, ...]] = {"idcard": ("read",), "chipcard": ("read",), "printer": ("test", "status"), "barcode": ("read",)}


def register(device_sub: argparse._SubParsersAction) -> None:
    parser = device_sub.add_parser("record", help="record one device's wire traffic while it does one action (replay: URL)")
    parser.add_argument("record_class", metavar="CLASS", choices=sorted(ACTIONS), help=f"device class: {', '.join(sorted(ACTIONS))}")
    parser.add_argument("--out", required=True, help="recording file to write (JSON lines, created 0600)")
    parser.add_argument("--url", help="device URL (serial:///dev/ttyUSB0, pcsc:, tcp://host:9100, sim:…); default: the configured device")
    parser.add_argument("--action", help="idcard/chipcard/barcode: read (default); printer: test (default) or status")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds for opening and for the action (default 10)")
    parser.add_argument("--fingerprint", action="store_true", help="idcard: also read the fingerprint data")
    parser.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    action = args.action or ACTIONS[args.record_class][0]
    if action not in ACTIONS[args.record_class]:
        print(f"kiosk device record: {args.record_class} has no action {action!r} (have: {', '.join(ACTIONS[args.record_class])})", file=sys.stderr)
        return 2
    try:
        spec = _spec(args)
    except (ConfigError, ValueError) as exc:
        print(f"kiosk device record: {exc}", file=sys.stderr)
        return EXIT_DEVICE_CONFIG
    return asyncio.run(record(spec, action, args.out, timeout=args.timeout, fingerprint=args.fingerprint))


def _spec(args: argparse.Namespace) -> Any:
    from kiosk.terminal.registry import DeviceSpec, DeviceUrl, check_spec
    from kiosk.terminal.status import DeviceClass

    device_class = DeviceClass(args.record_class)
    if args.url:
        spec = DeviceSpec(device_class.value, device_class, DeviceUrl.parse(args.url), timeout_s=args.timeout)
    else:
        from kiosk.settings.loader import load_config

        entry = load_config(getattr(args, "config", None)).devices.get(device_class)
        if entry is None:
            raise ConfigError(f"no [devices.{device_class.value}] in the config and no --url")
        spec = DeviceSpec(device_class.value, device_class, DeviceUrl.parse(entry.url), timeout_s=args.timeout, options=dict(entry.options))
    return check_spec(spec)


async def record(spec: Any, action: str, out: str, *, timeout: float = 10.0, fingerprint: bool = False,
                 prepare: Callable[[Any], object] | None = None, before_action: Callable[[Any], object] | None = None) -> int:
    """Build the device, record ``action`` into ``out``, return the device-CLI exit code of its outcome.

    ``prepare(service)`` runs after the device is built and before it opens, ``before_action(service)``
    once it is open (the session script sets emulator faults and waits for the card there)."""
    from drivers.replay.record import NotRecordable, attach, attach_opened, header_for, seam_of
    from drivers.replay.wire import PERSONAL_DATA_WARNING, Recorder
    from kiosk.terminal.events import EventBus
    from kiosk.terminal.registry import build_device

    service = build_device(spec, EventBus())
    if prepare is not None:
        prepare(service)
    header = header_for(service, spec, action)
    recorder: Recorder | None = None
    try:
        try:
            seam_of(service)  # before the file exists: an unrecordable device leaves none behind
            recorder = Recorder(out, header)
            attach(service, recorder)
        except NotRecordable as exc:
            print(f"kiosk device record: {exc}", file=sys.stderr)
            return EXIT_CODES[CompletionCode.UNSUPPORTED]
        except OSError as exc:
            print(f"kiosk device record: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"kiosk device record: WARNING: {PERSONAL_DATA_WARNING}", file=sys.stderr)
        opened = await service.open(timeout=timeout)
        result: Completion[Any] = opened
        if opened.ok:
            attach_opened(service, recorder)
            if before_action is not None:
                before_action(service)
            result = await _act(service, spec.device_class.value, action, timeout, fingerprint)
        print(f"{spec.device_class.value} {'open' if not opened.ok else action}: {result.code.value}"
              + (f": {result.description}" if result.description else ""))
        return exit_code(result.code)
    finally:
        await service.close()
        if recorder is not None:
            recorder.close()
            print(f"recorded {recorder.events} events to {out} (mode 0600)")


async def _act(service: Any, device_class: str, action: str, timeout: float, fingerprint: bool) -> Completion[Any]:
    if device_class == "idcard":
        return await service.read_card(timeout, fingerprint=fingerprint)
    if device_class == "chipcard":
        return await service.read_card(timeout)
    if device_class == "barcode":
        return await service.read_code(timeout)
    if action == "status":
        return await service.refresh_status(timeout=timeout)
    return await service.print_document(test_page(), timeout=timeout)


def test_page() -> Any:
    """The test page ``record printer`` prints: fixed host and time, so a replay can send the same bytes again."""
    from kiosk.receipts import build_test_page

    return build_test_page(TEST_PAGE_HOST, TEST_PAGE_TIME)
