"""Entry point of the ``kiosk`` console script.

Subcommands are modules listed in ``COMMANDS``; each has ``register(subparsers)`` which adds its
parser and sets ``func(args) -> int``. Installed distributions add more through the ``kiosk.commands``
entry-point group (name = subcommand, value = its ``register``): the simulators' ``demo``, ``ui`` ….
Device commands (``kiosk device idcard read``) are listed in
``kiosk.cli.device_cmd.DEVICE_COMMANDS`` the same way. Errors from our tree print one line, never
a traceback: technicians read these at the terminal.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import logging
import sys
from collections.abc import Sequence
from typing import Any

from kiosk.errors import KioskError
from kiosk.plugins import COMMANDS as COMMAND_PLUGINS
from kiosk.plugins import has_plugin, load_plugin, plugin_names

COMMANDS = [
    "kiosk.cli.config_cmd",
    "kiosk.cli.audit_cmd",
    "kiosk.cli.doctor_cmd",
    "kiosk.cli.device_cmd",
    "kiosk.cli.run_cmd",
    "kiosk.cli.session_cmd",
    "kiosk.cli.items_cmd",
    "kiosk.cli.install_cmd",
    "kiosk.cli.admin_cmd",
    "kiosk.cli.maint_cmd",
    "kiosk.cli.xfs_cmd",
    "kiosk.cli.outbox_cmd",
    "kiosk.cli.ime_cmd",
]


def _positionals(argv: Sequence[str]) -> list[str]:
    """The words that are not options (``--config X`` skipped), to import only the command asked for."""
    words, skip = [], False
    for token in argv:
        if skip:
            skip = False
        elif token == "--config":
            skip = True
        elif not token.startswith("-"):
            words.append(token)
    return words


def _modules_for(words: list[str]) -> list[str]:
    """Command ``install-service`` lives in ``install_cmd``; a plugin's name, or help or an unknown word, none or all."""
    if words:
        if has_plugin(COMMAND_PLUGINS, words[0]):
            return []
        stem = words[0].split("-")[0].replace("-", "_")
        chosen = [m for m in COMMANDS if m.rsplit(".", 1)[1] == f"{stem}_cmd"]
        if chosen:
            return chosen
    return COMMANDS


def _plugins_for(words: list[str]) -> list[str]:
    if words and has_plugin(COMMAND_PLUGINS, words[0]):
        return [words[0]]
    if words and _modules_for(words) != COMMANDS:
        return []
    return plugin_names(COMMAND_PLUGINS)


def _register(register: Any, sub: Any, words: list[str]) -> None:
    if "argv_words" in inspect.signature(register).parameters:
        register(sub, argv_words=words[1:])
    else:
        register(sub)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Import only the chosen command's module (start-up cost matters on a terminal's CPU)."""
    parser = argparse.ArgumentParser(prog="kiosk", description="渝快办 self-service terminal")
    parser.add_argument("--config", help="terminal config TOML (default: /etc/yukuaiban-kiosk/terminal.toml)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    words = _positionals(sys.argv[1:] if argv is None else argv)
    for module_name in _modules_for(words):
        _register(importlib.import_module(module_name).register, sub, words)
    for name in _plugins_for(words):
        _register(load_plugin(COMMAND_PLUGINS, name), sub, words)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Technician commands print one line per failure: library and runner warnings must not reach
    # stderr through Python's last-resort handler. Commands that keep logs configure their own.
    logging.getLogger().addHandler(logging.NullHandler())
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a missing file or device node, a refused port: one line, never a traceback
        print(f"kiosk: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
