"""QR decodes per second on 1280×720 frames, on one core, for every decoder tried (goal: bench/goals.toml qr_decodes).

Frames are rendered 渝快码 phone screens (``sim.devices.barcode.emulator.render_qr_frame``): plain,
rotated, small, noisy and defocused, plus an empty counter (what the camera sees most of the
time while waiting). Each decoder's rate is over the frames with a code; "reliable" counts how
many of those it read correctly. Rates are per CPU second of the decoding thread (so other load
on the machine does not distort them; wall-clock rate shown too), pinned to one CPU,
``cv2.setNumThreads(1)``.
Run: .venv/bin/python bench/bench_qr.py [--seconds S]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402

from drivers.barcode.decoders import DECODERS, DEFAULT_DECODER, make_decoder  # noqa: E402
from sim.devices.barcode.emulator import background, render_qr_frame  # noqa: E402
from report import goal, record  # noqa: E402  (bench/ is the script's own directory on sys.path)

GOAL_PER_S = goal("qr_decodes").value
BENCH_TOKEN = "YKM1.Q2hvbmdxaW5nIFl1a3VhaWJhbiBkZW1vIHRva2VuIGZvciB0ZXN0cyBvbmx5IDEyMzQ1Njc4OTA"  # 渝快码-sized, fixed
CASES = {
    "plain": {},
    "rotated 30°": {"angle": 30},
    "small 150 px": {"code_px": 150},
    "noisy σ=12": {"noise": 12, "seed": 5},
    "defocused": {"blur": 5},
}


def rate(decoder, frames, seconds: float) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Decodes per CPU second of this thread (immune to other load), and per wall second."""
    decoder.decode(frames[0])  # warm-up
    count, wall, cpu = 0, time.perf_counter(), time.thread_time()
    while time.thread_time() - cpu < seconds:
        decoder.decode(frames[count % len(frames)])
        count += 1
    return count / (time.thread_time() - cpu), count / (time.perf_counter() - wall)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="measuring time per decoder and frame set")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)
    token = BENCH_TOKEN
    frames = {name: render_qr_frame(token, **opts) for name, opts in CASES.items()}  # type: ignore[arg-type]
    empty = [background()]
    default_rate = 0.0
    print(f"QR decoding, 1280×720, one core (cv2 {cv2.__version__}), goal ≥ {GOAL_PER_S:.0f}/s")
    print(f"{'decoder':8} {'reliable':>9} {'with code/s':>12} {'(wall)':>8} {'empty/s':>9} {'ratio':>7}  missed")
    for name in DECODERS:
        try:
            decoder = make_decoder(name)
        except RuntimeError as exc:
            print(f"{name:8} unavailable: {exc}")
            continue
        missed = [case for case, frame in frames.items() if token not in decoder.decode(frame)]
        with_code, with_code_wall = rate(decoder, list(frames.values()), args.seconds)
        without, _ = rate(decoder, empty, args.seconds / 2)
        mark = " (default)" if name == DEFAULT_DECODER else ""
        print(f"{name:8} {len(frames) - len(missed):>4}/{len(frames):<4} {with_code:12.1f} {with_code_wall:8.1f} {without:9.1f} {with_code / GOAL_PER_S:6.2f}×  {', '.join(missed) or '-'}{mark}")
        if name == DEFAULT_DECODER:
            default_rate = with_code if not missed else 0.0  # a decoder that misses codes meets no rate goal
    record("qr_decodes", default_rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
