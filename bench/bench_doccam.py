"""高拍仪 pipeline cost on one core (goals in bench/goals.toml: detection + warp ≤ 25 ms at 1080p, ≤ 40 ms at 4K).

Per frame (runs on every analysed frame, for the preview outline and auto-capture):
  1. MJPG decode of the camera frame (what a UVC camera at 4K delivers);
  2. page detection: downscale, edges, contours, quad, line-fit refinement, sharpness.
Per capture (once, after the page is still):
  3. warp to A4 at 300 dpi (2480×3508), deskew, flatten the lighting, JPEG under 400 KB;
  4. the same as a PDF.
Frames are generated scenes (a skewed A4 page with shadow and noise). ``cv2.setNumThreads(1)``.
Wall times suffer from anything else running on the machine; the cpu column is this process's
CPU time per run, which is what one core actually spends.
Run: .venv/bin/python bench/bench_doccam.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from drivers.doccam.detect import analyse  # noqa: E402
from drivers.doccam.rectify import make_page, target_size, warp  # noqa: E402
from sim.devices.doccam.scenes import make_scene  # noqa: E402
from report import record  # noqa: E402  (bench/ is the script's own directory on sys.path)

SIZES = {"1080p": (1920, 1080), "4K": (3840, 2160)}


def timed(work: Callable[[], object], rounds: int) -> tuple[float, float, float]:
    """Median and p95 wall ms, and mean CPU ms of this process (immune to other load on the machine)."""
    work()  # warm-up
    values = []
    cpu_started = time.process_time()
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        values.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu_started) / rounds * 1000
    values.sort()
    return statistics.median(values), values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))], cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="timed runs per per-frame figure (captures: a fifth of it)")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    print(f"OpenCV {cv2.__version__}, threads={cv2.getNumThreads()}, rounds={args.rounds}")
    for label, (width, height) in SIZES.items():
        scene = make_scene("a4", width=width, height=height, frames=1, moving=0, angle_deg=-9, shadow=0.45, seed=3)
        frame = scene.frames[0]
        ok, mjpg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
        assert ok
        detection = analyse(frame)
        if detection.corners is None:
            print(f"{label}: page not found — benchmark invalid")
            return 1
        truth = scene.corners[0]
        assert truth is not None
        error = float(np.linalg.norm(detection.corners - truth, axis=1).max() / np.linalg.norm(truth[2] - truth[0]))
        decode_ms, decode_p95, decode_cpu = timed(lambda: cv2.imdecode(mjpg, cv2.IMREAD_COLOR), args.rounds)
        detect_ms, detect_p95, detect_cpu = timed(lambda: analyse(frame), args.rounds)
        captures = max(3, args.rounds // 5)
        corners = detection.corners
        size = target_size(corners, "page", 300)[:2]
        warp_ms, warp_p95, warp_cpu = timed(lambda: warp(frame, corners, size), captures)
        jpeg_ms, jpeg_p95, jpeg_cpu = timed(lambda: make_page(frame, corners, "page"), captures)
        pdf_ms, _, pdf_cpu = timed(lambda: make_page(frame, corners, "page", output="pdf"), captures)
        encoded, detail = make_page(frame, corners, "page")
        print(f"\n{label} ({width}x{height}), corner error {error * 100:.2f}% of the page diagonal")
        print(f"  per frame   MJPG decode      median {decode_ms:7.1f} ms  p95 {decode_p95:7.1f} ms  cpu {decode_cpu:7.1f} ms"
              f"  ({len(mjpg) // 1024} KB frame)")
        print(f"  per frame   page detection   median {detect_ms:7.1f} ms  p95 {detect_p95:7.1f} ms  cpu {detect_cpu:7.1f} ms")
        print(f"  per capture warp to A4 300 dpi median {warp_ms:7.1f} ms  p95 {warp_p95:7.1f} ms  cpu {warp_cpu:7.1f} ms  → {size[0]}x{size[1]}")
        print(f"  per capture warp+encode JPEG median {jpeg_ms:7.1f} ms  p95 {jpeg_p95:7.1f} ms  cpu {jpeg_cpu:7.1f} ms"
              f"  → {encoded.width}x{encoded.height} q{encoded.quality} {len(encoded.data) // 1000} kB (budget 400 kB)")
        print(f"  per capture warp+encode PDF  median {pdf_ms:7.1f} ms  cpu {pdf_cpu:7.1f} ms")
        # CPU time (this process, one thread): wall on a shared machine measured the neighbours
        record("doccam_detect_1080p" if label == "1080p" else "doccam_detect_4k", detect_cpu + warp_cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
