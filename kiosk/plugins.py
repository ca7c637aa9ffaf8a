"""Entry-point plugins: how optional distributions (the simulators) add drivers, platforms and commands.

The product names no plugin: a distribution declares ``[project.entry-points."kiosk.<group>"]`` and the
product finds it through ``importlib.metadata``. A production install without the simulators simply has
fewer names in each group.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

DRIVERS = "kiosk.drivers"  # "<device class>.<scheme>" → factory(spec, bus) -> DeviceService
PLATFORMS = "kiosk.platforms"  # URL scheme → open_platform(config, catalog) -> PlatformEndpoint
COMMANDS = "kiosk.commands"  # subcommand → register(subparsers)


@cache
def _group(group: str) -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=group)}


def plugin_names(group: str) -> list[str]:
    return sorted(_group(group))


def has_plugin(group: str, name: str) -> bool:
    return name in _group(group)


def load_plugin(group: str, name: str) -> Any:
    """The object an entry point names; KeyError when no installed distribution declares it."""
    return _group(group)[name].load()
