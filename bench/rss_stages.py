"""Where our RSS goes: the memory of one fresh UI process after each start-up stage, then by mapping.

The same process as chromium_peer.py's "static" run (attract + home on view-models built from the real
catalog, a window on an Xvfb of the terminal's size, Mesa llvmpipe), printed stage by stage so a change
shows which stage it moved: interpreter, kivy import, app import (the window and GL context exist after
it), catalog + search index, window + build, first attract frame, home + 2 s (the point chromium_peer
measures), keyboard used (search box, 中/英, pinyin, a candidate: the IME lexicon loads there).

    .venv/bin/python bench/rss_stages.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHILD = r"""
import os, sys, time
from pathlib import Path

def rollup():
    rows = Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]
    return {r.split(":")[0]: int(r.split()[1]) / 1024 for r in rows if r.split()[-1] == "kB"}

def stage(name):
    v = rollup()
    print(f"  {name:<36} RSS {v['Rss']:6.0f} MiB   PSS {v['Pss']:6.0f} MiB   anonymous {v['Anonymous']:6.0f} MiB", flush=True)

def by_mapping(top=14):
    sums, name = {}, None
    for line in Path("/proc/self/smaps").read_text().splitlines():
        parts = line.split()
        if parts and "-" in parts[0] and not parts[0].endswith(":"):
            name = parts[5] if len(parts) > 5 else "[anonymous]"
        elif parts and parts[0] == "Rss:":
            sums[name] = sums.get(name, 0) + int(parts[1])
    for name, kb in sorted(sums.items(), key=lambda t: -t[1])[:top]:
        print(f"    {kb / 1024:6.1f} MiB  {name}")

stage("interpreter")
from screens import env; env.prepare("portrait", headless=not os.environ.get("DISPLAY"))
import kivy.app
stage("kivy import")
from kivy.base import EventLoop
from kiosk.flows import intents as I
from screens.app import KioskApp
stage("app import (window + GL context)")
from kiosk.flows import viewmodels as V
from kiosk.flows.controller import HIGH_FREQUENCY, SERVICES
from kiosk.flows.search import ItemIndex
from kiosk.content import items_dir
from kiosk.items.loader import load_catalog
from sim.config import demo_config
index, hall = ItemIndex(load_catalog(items_dir())), demo_config().terminal.hall
entries = {e.code: e for e in index.entries()}
frequent = tuple(entries[c] for c in HIGH_FREQUENCY if c in entries)
views = [V.AttractVM(elder_mode=False, speak="", title=hall, hall_name=hall, high_frequency=frequent),
         V.HomeVM(elder_mode=False, speak="", title="渝快办", categories=index.categories(), high_frequency=frequent,
                  services=SERVICES)]
stage("flow modules, catalog, search index")

class StaticPort:
    def __init__(self): self.listeners = []
    def subscribe(self, listener): self.listeners.append(listener); listener(views[0])
    def send(self, intent):
        if isinstance(intent, I.Touch):
            for listener in self.listeners: listener(views[1])

port = StaticPort()
app = KioskApp(port); app._run_prepare()
stage("window + build")
def frames(n=2):
    for _ in range(n):
        app.bridge.flush_now(); EventLoop.idle()
def until(kind):
    while not (app.current_vm is not None and app.current_vm.kind == kind and app.manager.current == app.screen_for(kind).name):
        frames(1)
    frames(1)
until("attract")
stage("first attract frame")
port.send(I.Touch())
until("home")
end = time.monotonic() + 2.0
while time.monotonic() < end:
    EventLoop.idle()
stage("home + 2 s (chromium_peer's point)")
print("  modules held: " + ", ".join(f"{m} {'yes' if m in sys.modules else 'no'}" for m in ("cv2", "numpy", "fpdf", "pypinyin", "jieba")))
by_mapping()
home = app.screen_for("home")
home.ids.query.focus = True
frames()
app.keyboard.key("toggle").trigger_action(0)
frames()
while not app.keyboard.ready:
    frames(1); time.sleep(0.005)
for letter in "shebao":
    app.keyboard.key(letter).trigger_action(0)
    frames(1)
app.keyboard.candidate_button(app.keyboard.composer.visible()[0].text).trigger_action(0)
end = time.monotonic() + 2.0
while time.monotonic() < end:
    EventLoop.idle()
stage("keyboard used (+2 s)")
"""


def main() -> int:
    from sim.ui.xvfb import start_xvfb  # (width, height): the tuple form crashed with a TypeError

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SDL_", "KIVY_"))}
    xvfb = None
    if not env.get("DISPLAY"):
        started = start_xvfb(1080, 1920)
        if started is not None:
            xvfb, env["DISPLAY"] = started
    try:
        with tempfile.TemporaryDirectory(prefix="bench-rss-") as data:
            env.update(KIVY_NO_ARGS="1", KIVY_HOME=data)
            print(f"RSS of one UI process by start-up stage ({'Xvfb window' if env.get('DISPLAY') else 'offscreen'}, software GL):")
            return subprocess.run([sys.executable, "-c", CHILD], cwd=REPO, env=env, stderr=subprocess.DEVNULL).returncode
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)


if __name__ == "__main__":
    sys.exit(main())
