"""受理回执 in text mode vs image mode: bytes on the wire and build time, 58 and 80 mm.

Text mode is what the driver sends (FS & + GB18030 text, native QR); image mode rasterises the whole
receipt (GS v 0), the fallback for heads without a usable CJK font. The goal is the wire time: at
9600 baud (a common serial head) a receipt should go out in ≤ 2 s, and building it must stay well
under the ~50 ms a citizen would notice. Also the time to render the preview PNG.
Run: .venv/bin/python bench/bench_receipt.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.printer.encoder import PROFILE_58, PROFILE_80, encode_document  # noqa: E402
from drivers.printer.render import render  # noqa: E402
from kiosk.receipts import AcceptanceReceipt, MaterialReceived, build_acceptance_receipt  # noqa: E402
from report import goal, record  # noqa: E402  (bench/ is the script's own directory on sys.path)

GOAL_WIRE_S = goal("receipt_wire").value  # at 9600 baud, 10 bits a byte
GOAL_BUILD_MS = goal("receipt_preview").value


def receipt() -> AcceptanceReceipt:
    return AcceptanceReceipt(
        "CQ2026112600000123", "居民身份证换领（有效期满换证）", "张三丰", datetime(2026, 11, 26, 14, 5, 9),
        "CQ-500112-0001", "渝北区政务服务中心", "https://zwykb.cq.gov.cn/progress/CQ2026112600000123",
        "窗口自取", (MaterialReceived("居民身份证", 1, "电子证照"), MaterialReceived("户口簿首页及本人页", 2, "高拍件"),
                     MaterialReceived("近期免冠彩色照片", 1, "原件")),
        "500112198703152620", Decimal("12.50"), "20个工作日", "渝北区公安分局")


def timed(fn, rounds: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    data = receipt()
    render(b"\x1c&" + "预热".encode("gb18030"))  # load the fonts once, as the app does at start-up
    print(f"{'paper':6} {'mode':6} {'bytes':>8} {'build ms':>9} {'wire@9600 s':>12} {'vs goal':>8}")
    worst_wire = worst_preview = 0.0
    for profile in (PROFILE_58, PROFILE_80):
        sizes = {}
        for mode in ("text", "image"):
            ms, out = timed(lambda: encode_document(build_acceptance_receipt(data), profile, mode), rounds)
            size = len(out)  # type: ignore[arg-type]
            sizes[mode] = size
            wire = size * 10 / 9600
            if mode == "text":  # the default; image mode is the fallback for heads without a CJK font
                worst_wire = max(worst_wire, wire)
            print(f"{profile.name:6} {mode:6} {size:8d} {ms:9.2f} {wire:12.2f} {wire / GOAL_WIRE_S:7.2f}x")
        print(f"{profile.name:6} image/text bytes ratio: {sizes['image'] / sizes['text']:.1f}x")
        text = encode_document(build_acceptance_receipt(data), profile, "text")
        ms, _ = timed(lambda: render(text, width_dots=profile.dots), rounds)
        print(f"{profile.name:6} preview render (ESC/POS → PNG image): {ms:.2f} ms ({ms / GOAL_BUILD_MS:.2f}x of {GOAL_BUILD_MS:.0f} ms)")
        worst_preview = max(worst_preview, ms)
    record("receipt_wire", worst_wire)
    record("receipt_preview", worst_preview)
    return 0


if __name__ == "__main__":
    sys.exit(main())
