"""UI benchmarks (headless, offscreen SDL on Mesa llvmpipe — a real GL pipeline, no GPU):

1. cold start to the first attract frame, in a fresh process      goal < 2 s
2. tap → next screen's first frame, p95 over many taps              goal < 50 ms
   (GL drained before the tap, glFinish after the frame: the time until its pixels exist; also the
   CPU time per tap over all threads, which a busy shared machine does not inflate)
3. RSS after 1,000 scripted sessions vs after 10                     goal within 5 %
4. Chromium (Debian ``chromium``) rendering an equivalent static attract+home page in kiosk mode:
   RSS and start time side by side                                   goal ours ≤ 1/3 of Chromium's RSS
   (skipped with a message when chromium is not installed: it is not in tools/apt-packages.txt)

    .venv/bin/python bench/bench_ui.py [--sessions 1000] [--taps 200]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CHILD_COLD = """
import sys, time
t0 = float(sys.argv[1])
from screens import env; env.prepare("portrait", headless=True)
from screens.app import KioskApp
from screens.demo.story import StoryPort
from screens.driver import Driver
from kivy.base import EventLoop
port = StoryPort()
app = KioskApp(port); d = Driver(app); app._run_prepare()
while not (app.current_vm is not None and app.manager.current == "attract"):
    app.bridge.flush_now(); EventLoop.idle()
EventLoop.idle()  # the frame with the attract screen drawn
print(time.time() - t0, flush=True)
import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""


def rss_kb(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cold_start(runs: int = 3) -> tuple[float, int]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    times, rss = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", CHILD_COLD, repr(time.time())], cwd=REPO, env=env,
                             capture_output=True, text=True, check=True).stdout.split()
        times.append(float(out[0]))
        rss.append(int(out[1]))
    return statistics.median(times), int(statistics.median(rss))


def in_process(taps: int, sessions: int) -> dict[str, float]:
    from screens import env

    env.prepare("portrait", headless=True)
    from kiosk.flows import intents as I
    from screens.app import KioskApp
    from screens.demo.journeys import Journey
    from screens.demo.story import StoryPort
    from screens.driver import Driver

    port = StoryPort(out_dir=Path(tempfile.mkdtemp()))
    app = KioskApp(port)
    driver = Driver(app).start()
    app.ime_loader.wait()
    journey = Journey(driver, port, None)
    latencies: list[float] = []
    submitted: list[float] = []
    cpu: list[float] = []

    from kivy.graphics.opengl import glFinish

    def timed_tap(widget, target: str) -> None:
        x, y = driver.stable_centre(widget)
        from kivy.base import EventLoop
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        # The offscreen (pbuffer) swap neither waits for nor flushes llvmpipe, so frames queue up unrendered
        # until something syncs (a texture upload, a screenshot). Without these two glFinish calls the figure
        # missed the new frame's rendering and billed whole backlogs of earlier frames to random taps.
        glFinish()  # the screen before the tap is fully drawn, as on a display that has presented it
        start, cpu_start = time.perf_counter(), time.process_time()
        touch.touch_down()
        touch.touch_up()
        while app.manager.current != target:
            app.bridge.flush_now()
            EventLoop.idle()
        EventLoop.idle()  # the first frame of the new screen: drawn and flipped …
        submitted.append(time.perf_counter() - start)
        glFinish()  # … and its pixels actually rasterised
        latencies.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)  # all threads, incl. llvmpipe's: robust to a busy machine

    def session() -> None:
        journey.at("attract")
        timed_tap(driver.screen("attract").ids.prompt, "home")
        timed_tap(driver.button("home", "户籍证明出具"), "identify")
        timed_tap(driver.button("identify", "身份证"), "identify") if False else None
        port.send(I.Cancel())
        driver.pump(1)

    for _ in range(max(1, taps // 2)):
        session()
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    median = statistics.median(latencies)
    submitted.sort()
    cpu.sort()
    rss_after: dict[int, int] = {}
    for n in range(1, sessions + 1):
        port.send(I.Touch())
        driver.pump(1)
        port.send(I.Start("00011200600001"))
        port.send(I.Choose("method", "idcard_face"))
        port.card_placed()
        port.send(I.Next())
        driver.pump(2)
        port.send(I.Cancel())
        driver.pump(1)
        if n in (10, sessions):
            import gc

            gc.collect()
            rss_after[n] = rss_kb()
    driver.stop()
    return {"p95": p95, "median": median, "taps": len(latencies),
            "submit_p95": submitted[int(0.95 * (len(submitted) - 1))], "submit_median": statistics.median(submitted),
            "cpu_p95": cpu[int(0.95 * (len(cpu) - 1))], "cpu_median": statistics.median(cpu), "rss10": rss_after.get(10, 0),
            "rssN": rss_after.get(sessions, 0)}


STATIC_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>渝快办</title>
<style>body{margin:0;width:1080px;height:1920px;background:#f2f5fa;font-family:'Noto Sans CJK SC',sans-serif;color:#1a1f29}
h1{text-align:center;font-size:44px}.g{display:grid;grid-template-columns:1fr 1fr;gap:12px;padding:24px}
.b{background:#0f5cbf;color:#fff;font-size:26px;padding:22px;text-align:center;border-radius:8px}
.p{font-size:48px;color:#0f5cbf;text-align:center;animation:f 2.4s infinite}@keyframes f{50%{opacity:.35}}</style>
<h1>渝北区政务服务中心</h1><p style="text-align:center;font-size:24px">2026年11月26日 星期四 09:00</p>
<div class="g">__ITEMS__</div><p class="p">轻触屏幕开始办理</p>
<h1>请选择要办理的事项</h1><input style="font-size:24px;width:90%;margin:0 5%" placeholder="搜索事项：汉字、拼音或首字母，如 sbjf">
<div class="g">__ITEMS__</div></html>"""


def chromium(page_dir: Path) -> tuple[float, int] | None:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        return None
    items = "".join(f'<div class="b">{n}</div>' for n in ("社会保障卡申领及补领、换领", "户籍证明出具", "住房公积金个人缴存证明打印",
                                                          "基本医疗保险参保人员跨省异地就医备案", "无犯罪记录证明开具", "社会保险个人权益记录查询打印"))
    page = page_dir / "attract_home.html"
    page.write_text(STATIC_PAGE.replace("__ITEMS__", items), encoding="utf-8")
    shot = page_dir / "chromium.png"
    start = time.monotonic()
    proc = subprocess.Popen([binary, "--headless=new", "--kiosk", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--window-size=1080,1920", f"--screenshot={shot}", f"--user-data-dir={page_dir / 'profile'}",
                             page.as_uri()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        total = 0
        for pid in _tree(proc.pid):
            try:
                total += rss_kb(pid)
            except OSError:
                pass
        peak = max(peak, total)
        time.sleep(0.02)
    return time.monotonic() - start, peak


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(status.parent.name))
        except (OSError, IndexError, ValueError):
            pass
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--taps", type=int, default=200)
    args = parser.parse_args()
    cold, cold_rss = cold_start()
    print(f"cold start → first attract frame: {cold:.2f} s (median of 3; goal < 2 s; ratio {cold / 2:.2f})  peak RSS {cold_rss / 1024:.0f} MiB")
    result = in_process(args.taps, args.sessions)
    print(f"tap → next screen first frame: p95 {result['p95'] * 1000:.1f} ms, median {result['median'] * 1000:.1f} ms over "
          f"{result['taps']} taps at 1080×1920 (goal < 50 ms; ratio {result['p95'] / 0.05:.2f}); "
          f"of which handled + submitted to GL: p95 {result['submit_p95'] * 1000:.1f} ms, median {result['submit_median'] * 1000:.1f} ms")
    print(f"  CPU time per tap (process, all threads): p95 {result['cpu_p95'] * 1000:.1f} ms, median "
          f"{result['cpu_median'] * 1000:.1f} ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(wall figures above include waiting for other processes)")
    growth = (result["rssN"] - result["rss10"]) / result["rss10"] * 100 if result["rss10"] else float("nan")
    print(f"RSS after 10 sessions {result['rss10'] / 1024:.1f} MiB, after {args.sessions} {result['rssN'] / 1024:.1f} MiB: "
          f"{growth:+.1f} % (goal within 5 %; ratio {abs(growth) / 5:.2f})")
    with tempfile.TemporaryDirectory() as tmp:
        chrome = chromium(Path(tmp))
    if chrome is None:
        print("chromium: not installed (Debian package `chromium`, not in tools/apt-packages.txt) — comparison skipped; "
              f"ours: start {cold:.2f} s, RSS {cold_rss / 1024:.0f} MiB")
    else:
        start, peak = chrome
        print(f"chromium --kiosk static attract+home: start→screenshot {start:.2f} s, peak RSS (all processes) {peak / 1024:.0f} MiB; "
              f"ours {cold:.2f} s, {cold_rss / 1024:.0f} MiB → RSS ratio {cold_rss / peak:.2f} (goal ≤ 0.33)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
