"""Idle CPU of a process with every sim device open (the embedded default config), per thread.

The demo, the UI tests and ``kiosk run`` on the default config all run the wire-level emulators in
process; whatever they burn while nobody uses a device is taken from UI drawing on a small
terminal (2 cores). This opens the ``Terminal`` facade like the flow engine does, waits until
every device is open and the initial scenes are drawn (warm-up), then samples
``/proc/self/task/*/stat`` over the idle window and prints CPU % of one core per thread name and
in total. It also prints the CPU the opens themselves cost (first open, then a reopen in the
same process as each UI test's flow runtime does).                             goal: idle total < 5 %

    .venv/bin/python bench/bench_sim_idle.py [--seconds 10] [--warmup 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TICK = os.sysconf("SC_CLK_TCK")

from report import record  # noqa: E402  (bench/ is the script's own directory on sys.path)


def thread_ticks() -> dict[int, tuple[str, int]]:
    """tid → (name, utime+stime in clock ticks) for every thread of this process."""
    out: dict[int, tuple[str, int]] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            raw = Path(f"/proc/self/task/{tid}/stat").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        out[int(tid)] = (name, int(fields[11]) + int(fields[12]))
    return out


def process_cpu() -> float:
    """User + system CPU seconds of the whole process (threads that already ended included)."""
    times = os.times()
    return times.user + times.system


def frames_served(terminal: object) -> dict[str, int]:
    """Frames each sim camera handed to its driver so far (proof the grabbers are alive, not parked)."""
    counts: dict[str, int] = {}
    for name in ("doccam", "camera", "barcode"):
        emulator = getattr(getattr(terminal, name, None), "emulator", None)
        served = getattr(emulator, "frames_served", getattr(emulator, "_seq", None))
        if isinstance(served, int):
            counts[name] = served
    return counts


def python_names() -> dict[int, str]:
    """Kernel names are cut to 15 characters; Python's thread names are the readable ones."""
    return {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}


async def main(seconds: float, warmup: float) -> float:
    from sim.config import demo_config
    from kiosk.terminal.facade import Terminal

    config = demo_config(data_dir=tempfile.mkdtemp(prefix="bench-sim-idle-"))
    for cycle in (1, 2):  # the second open is what each UI test / flow runtime restart in one process pays
        cpu0 = process_cpu()
        terminal = Terminal(config)
        results = await terminal.start()
        failed = {str(k): v.description for k, v in results.items() if not v.ok}
        await asyncio.sleep(warmup)  # initial scenes drawn, first frames delivered
        spent = process_cpu() - cpu0
        print(f"open #{cycle}: {len(results)} devices" + (f" (failed: {failed})" if failed else "")
              + f"; CPU over open + {warmup:.0f} s warm-up: {spent:.2f} s (all threads, finished ones too)")
        if cycle == 1:
            await terminal.stop()
    before, t0, served0 = thread_ticks(), time.monotonic(), frames_served(terminal)
    await asyncio.sleep(seconds)  # idle: nobody captures, nobody looks at a preview
    after, elapsed, served1 = thread_ticks(), time.monotonic() - t0, frames_served(terminal)
    print("frames the cameras delivered while idle (they keep running): "
          + ", ".join(f"{k} {served1[k] - served0.get(k, 0)}" for k in served1))
    names = python_names()
    per_name: dict[str, float] = defaultdict(float)
    for tid, (kname, ticks) in after.items():
        used = ticks - before.get(tid, (kname, 0))[1]
        per_name[names.get(tid, kname)] += used / TICK / elapsed * 100.0
    total = sum(per_name.values())
    print(f"idle {elapsed:.1f} s, CPU % of one core by thread (≥ 0.05 %):")
    for name, pct in sorted(per_name.items(), key=lambda kv: -kv[1]):
        if pct >= 0.05:
            print(f"  {pct:6.1f}  {name}")
    print(f"total idle CPU: {total:.1f} % of one core")
    record("sim_idle_cpu", total)
    await terminal.stop()
    return total


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=4.0)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.warmup))
