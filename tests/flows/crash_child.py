"""Crash runner for the kill test: import everything once, then fork one child per crash point.

Each child is a fresh process image of this (thread-free) parent: it opens its own devices,
platform and stores on its own data dir, runs the journey through the same code as
``kiosk simulate`` and dies by ``os._exit(137)`` at the point armed with ``kiosk.flows.crash.arm`` — no cleanup at all,
like a power cut. Forking saves the ~1.5 s import per crash on small CI machines.

    python tests/flows/crash_child.py ITEM PERSONA DIR=POINT [DIR=POINT ...]

Prints ``DIR rc`` per child.
"""

from __future__ import annotations

import asyncio
import os
import sys

from kiosk.content import items_dir
from kiosk.flows import crash
from sim.simulate import Simulator
from kiosk.items import load_catalog
from kiosk.settings.loader import load_config

CATALOG = load_catalog(items_dir())  # validated once, before forking: the point of this runner

PARALLEL = 2


def _child(item: str, persona: str, config_path: str, point: str) -> None:
    crash.arm(point)  # in-process, in this child only: production code reads no variable for it
    sink = open(os.path.join(os.path.dirname(config_path), "child.log"), "w", encoding="utf-8")

    async def journey() -> None:
        sim = await Simulator.open(load_config(config_path), say=lambda line: print(line, file=sink, flush=True), catalog=CATALOG)
        await sim.run(item, persona)
        await sim.close()

    try:
        asyncio.run(journey())
    except BaseException as exc:  # reaching here means the crash point was never hit
        print(f"no crash: {exc!r}", file=sink, flush=True)
        os._exit(1)
    os._exit(0)


def main(argv: list[str]) -> int:
    item, persona, jobs = argv[0], argv[1], [a.split("=", 1) for a in argv[2:]]
    running: dict[int, str] = {}
    results: dict[str, int] = {}
    for directory, point in jobs:
        while len(running) >= PARALLEL:
            pid, status = os.wait()
            results[running.pop(pid)] = os.waitstatus_to_exitcode(status)
        pid = os.fork()
        if pid == 0:
            _child(item, persona, os.path.join(directory, "terminal.toml"), point)
        running[pid] = directory
    while running:
        pid, status = os.wait()
        results[running.pop(pid)] = os.waitstatus_to_exitcode(status)
    for directory, code in results.items():
        print(directory, code)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
