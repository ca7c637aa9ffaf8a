"""Idle cost of the whole terminal on the attract screen (issue 19 point 4: ≤ 3 % of one core over 10 minutes).

Starts ``kiosk run`` — the real app, window and flow engine — on a private Xvfb (1080×1920) with the demo
config; with ``--production`` (the default when the emulators can run apart) the 二代证 reader and the receipt
printer are production drivers (``serial://`` pty, ``tcp://``) talking to ``kiosk emulate idcard|printer``
processes, so no emulator runs inside the terminal for them. The other devices keep their ``sim:`` URLs (their
emulators have no out-of-process form yet; their cost is inside the terminal's figure).

Once the attract screen rests (``--warmup``), it samples over ``--seconds`` (default 600) every process of the
terminal's tree (UI + engine + drivers' pollers, pcscd/cupsd it started) from /proc: CPU % of one core, voluntary
context switches per second (wakeups), and the frames the window drew per second (counted on the window's
``on_flip`` by a launcher that runs ``kiosk.cli.main`` unchanged). Emulator processes and Xvfb are listed apart.

    .venv/bin/python bench/bench_idle.py [--seconds 600] [--warmup 25] [--sim-only]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from report import record  # noqa: E402

from sim.config import write_demo_config  # noqa: E402
from sim.ui.xvfb import start_xvfb  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
#: Runs the terminal's own CLI unchanged; counts the window's flips once kivy.base is imported (after
#: screens.env has prepared Kivy's environment) and writes the count to a file every 2 s.
LAUNCHER = """
import importlib.abc, importlib.machinery, json, os, sys, threading, time
frames_file = sys.argv[1]
frames = [0]

def count(*_a):
    frames[0] += 1

class Hook(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "kivy.base":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        load = spec.loader.exec_module
        def exec_module(module):
            load(module)
            idle = module.EventLoopBase.idle
            def counted_idle(loop):
                window = loop.window
                if window is not None and not getattr(window, "_bench_counted", False):
                    window.bind(on_flip=count)
                    window._bench_counted = True
                return idle(loop)
            module.EventLoopBase.idle = counted_idle
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Hook())

def writer():
    while True:
        names = {t.native_id: t.name for t in threading.enumerate()}  # kernel names say only "python"
        with open(frames_file + ".tmp", "w") as f:
            json.dump({"frames": frames[0], "threads": names}, f)
        os.replace(frames_file + ".tmp", frames_file)
        time.sleep(2.0)

threading.Thread(target=writer, daemon=True).start()
from kiosk.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def proc_ticks(pid: int) -> int:
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def proc_wakeups(pid: int) -> int:
    """Voluntary context switches over every thread of ``pid`` (each is a sleep that ended: a wakeup)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            for line in Path(f"/proc/{pid}/task/{tid}/status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def launcher_state(path: Path) -> dict:  # type: ignore[type-arg]
    """The launcher's frame count and Python thread names (it rewrites the file every 2 s)."""
    return json.loads(path.read_text())


def thread_ticks(pid: int) -> dict[int, tuple[str, int]]:
    """tid → (thread name, utime+stime ticks) of one process: where the terminal's idle CPU goes."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            raw = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        out[int(tid)] = (raw[raw.index("(") + 1 : raw.rindex(")")], int(fields[11]) + int(fields[12]))
    return out


def proc_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def descendants(root: int) -> list[int]:
    """``root`` and every process below it (pcscd, cupsd, workers the terminal started)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(raw[raw.rindex(")") + 2 :].split()[1])
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def snapshot(pids: list[int]) -> dict[int, tuple[str, int, int]]:
    out = {}
    for pid in pids:
        try:
            out[pid] = (proc_name(pid), proc_ticks(pid), proc_wakeups(pid))
        except (OSError, ValueError):
            continue
    return out


def start_emulators(folder: Path) -> tuple[list[subprocess.Popen[bytes]], dict[str, str]]:
    """``kiosk emulate idcard`` on a pty link and ``kiosk emulate printer`` on a free TCP port: their URLs."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    link = folder / "ttyIDCARD"
    kiosk = [sys.executable, "-m", "kiosk.cli.main"]
    procs = [subprocess.Popen([*kiosk, "emulate", "idcard", "--card", "zhangsan", "--link", str(link)], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
             subprocess.Popen([*kiosk, "emulate", "printer", "--port", str(port)], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    deadline = time.monotonic() + 20
    while not link.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return procs, {"idcard": f"serial://{link}?baud=115200", "printer": f"tcp://127.0.0.1:{port}"}


def production_config(path: Path, urls: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    out, table = [], ""
    for line in text.splitlines():
        if line.startswith("["):
            table = line.strip("[] ")
        if line.startswith("url =") and table.startswith("devices.") and table.split(".", 1)[1] in urls:
            line = f'url = "{urls[table.split(".", 1)[1]]}"'
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def main(seconds: float, warmup: float, production: bool) -> int:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-idle-") as tmp:
        folder = Path(tmp)
        config = write_demo_config(folder / "terminal.toml", folder / "data")
        emulators: list[subprocess.Popen[bytes]] = []
        if production:
            emulators, urls = start_emulators(folder)
            production_config(config, urls)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SDL_", "KIVY_"))}
        xvfb = None
        if not env.get("DISPLAY"):
            started = start_xvfb(1080, 1920)
            if started is None:
                print("bench_idle: Xvfb missing; cannot show a window")
                return 2
            xvfb, env["DISPLAY"] = started
        frames_file = folder / "frames"
        with open(folder / "stderr", "wb") as stderr:
            terminal = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(frames_file), "--config", str(config), "run"],
                                        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        try:
            time.sleep(warmup)  # start-up, devices opened, the attract screen's first pulse over
            if terminal.poll() is not None:
                print("bench_idle: the terminal exited early:\n" + (folder / "stderr").read_text(errors="replace")[-2000:])
                return 1
            pids = descendants(terminal.pid)
            others = {p.pid: p for p in emulators} | ({xvfb.pid: xvfb} if xvfb else {})
            threads0 = thread_ticks(terminal.pid)
            before, frames0, t0 = snapshot(pids + list(others)), launcher_state(frames_file)["frames"], time.monotonic()
            time.sleep(seconds)
            pids = sorted(set(pids) | set(descendants(terminal.pid)))
            after, state, elapsed = snapshot(pids + list(others)), launcher_state(frames_file), time.monotonic() - t0
            frames1, names = state["frames"], {int(k): v for k, v in state["threads"].items()}
            threads1 = thread_ticks(terminal.pid)
        finally:
            os.killpg(terminal.pid, signal.SIGTERM)
            try:
                terminal.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(terminal.pid, signal.SIGKILL)
            for proc in emulators:
                proc.terminate()
                proc.wait(5)
            if xvfb is not None:
                xvfb.terminate()
                xvfb.wait(5)
    load_after = os.getloadavg()

    def rates(pid: int) -> tuple[str, float, float]:
        name, ticks, wakes = after[pid]
        _, ticks0, wakes0 = before.get(pid, (name, 0, 0))
        return name, (ticks - ticks0) / TICK / elapsed * 100, (wakes - wakes0) / elapsed

    mode = "production idcard/printer drivers, emulators in their own processes" if production else "all sim: devices"
    print(f"idle on the attract screen, {elapsed:.0f} s ({mode}); "
          f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (2 cores, shared)")
    total_cpu = total_wakes = 0.0
    for pid in pids:
        if pid in after:
            name, cpu, wakes = rates(pid)
            total_cpu, total_wakes = total_cpu + cpu, total_wakes + wakes
            print(f"  terminal  {name:<16} pid {pid:<7} {cpu:6.2f} % CPU  {wakes:8.1f} wakeups/s")
    for pid in others:
        if pid in after:
            name, cpu, wakes = rates(pid)
            print(f"  apart     {name:<16} pid {pid:<7} {cpu:6.2f} % CPU  {wakes:8.1f} wakeups/s")
    by_thread: dict[str, float] = {}
    for tid, (kernel_name, ticks) in threads1.items():
        name = names.get(tid, kernel_name)
        by_thread[name] = by_thread.get(name, 0.0) + (ticks - threads0.get(tid, (name, 0))[1]) / TICK / elapsed * 100
    print("  the terminal process by thread (≥ 0.1 %): " + ", ".join(
        f"{name} {pct:.2f} %" for name, pct in sorted(by_thread.items(), key=lambda kv: -kv[1]) if pct >= 0.1))
    fps = (frames1 - frames0) / elapsed
    print(f"terminal total: {total_cpu:.2f} % of one core, {total_wakes:.0f} wakeups/s, {fps:.2f} frames drawn/s")
    record("idle_cpu", total_cpu)
    record("idle_frames", fps)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--warmup", type=float, default=25.0)
    parser.add_argument("--sim-only", action="store_true", help="every device on its sim: URL (as the demo)")
    parser.add_argument("--quick", action="store_true", help="60 s instead of 600 (make bench-quick)")
    args = parser.parse_args()
    sys.exit(main(60.0 if args.quick else args.seconds, args.warmup, not args.sim_only))
