"""The terminal under the real compositor, headless: the rendered unit's ExecStart under Debian's cage.

How it runs here (docs/lockdown.md, "Testing under cage"):
- ``WLR_BACKENDS=headless`` (one virtual 1280×720 output), ``WLR_LIBINPUT_NO_DEVICES=1``,
  ``WLR_RENDERER=pixman`` (no DRM device: wlroots' GLES renderer has nothing to open).
- Kivy's bundled SDL2 has no Wayland video driver, so the app is an X11 client of cage's Xwayland (Debian
  package ``xwayland``; without it cage exits "Cannot create XWayland server"). Xwayland falls back from
  glamor to software by itself; Kivy draws with Mesa llvmpipe (GLX over Xwayland).
- cage refuses to run as root ("Unable to drop root"): as root the test starts it in a user namespace
  that maps root to uid 1000 (``unshare --user --map-user=1000``), so cage's setuid(0) probe fails as it
  should while files stay reachable. (An unmapped namespace is not enough: Xwayland's xkbcomp child calls
  setuid(getuid()) and dies, so the X server has no keyboard and exits.)
- Keys and the pointer are injected with ``xdotool`` (XTEST) into Xwayland: cage 0.1.4 has neither the
  virtual-keyboard nor the virtual-pointer protocol (``wtype``: "Compositor does not support the virtual
  keyboard protocol"), and the headless backend has no libinput/uinput devices. XTEST events reach the app
  exactly as keyboard events from cage do (the same X key events through Xwayland); what cage itself does
  with a key (no VT switch without ``-s``) is checked on the unit in tests/systemd/test_lockdown.py.
- Screenshots come from the compositor (wlroots screencopy) with ``grim``: what the screen shows.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from kiosk.cli.main import main as kiosk_main

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = next((p for p in (REPO / "sim/sim/default.toml", REPO / "kiosk/settings/default.toml") if p.is_file()), None)
TOOLS = ("cage", "Xwayland", "grim", "xdotool", "unshare")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]


def demo_config(tmp: Path) -> Path:
    """The simulators' config (sim devices, embedded platform) with state and logs under ``tmp``."""
    assert DEFAULT_CONFIG is not None, "no demo config (sim/sim/default.toml or kiosk/settings/default.toml)"
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    head, sep, rest = text.partition("[terminal]\n")
    assert sep, "the demo config has no [terminal] section"
    (tmp / "data").mkdir(exist_ok=True)
    path = tmp / "terminal.toml"
    path.write_text(f'{head}[terminal]\ndata_dir = "{tmp / "data"}"\n{rest}', encoding="utf-8")
    return path


def rendered_unit(tmp: Path, config: Path, exe: Path | None = None) -> str:
    """kiosk.service as ``kiosk install-service --root`` writes it for this checkout's console script."""
    exe = exe or Path(shutil.which("kiosk", path=str(REPO / ".venv/bin")) or REPO / ".venv/bin/kiosk")
    root = tmp / "root"
    assert kiosk_main(["install-service", "--root", str(root), "--exec", str(exe), "--terminal-config", str(config),
                       "--cage", shutil.which("cage") or "/usr/bin/cage", "--no-enable"]) == 0
    return (root / "etc/systemd/system/kiosk.service").read_text(encoding="utf-8")


def exec_start(unit: str) -> list[str]:
    line = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def unit_environment(unit: str) -> dict[str, str]:
    """The unit's ``Environment=`` assignments, as systemd would set them."""
    env: dict[str, str] = {}
    for line in unit.splitlines():
        if line.startswith("Environment="):
            for item in shlex.split(line.removeprefix("Environment=")):
                key, _, value = item.partition("=")
                env[key] = value
    return env


class NotifySink:
    """An AF_UNIX datagram socket as systemd's NOTIFY_SOCKET; a thread collects every message with its time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        os.chmod(path, 0o777)  # the app runs as the namespace's uid 1000
        self.sock.settimeout(0.1)
        self.messages: list[tuple[float, str]] = []
        self._closed = False
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self) -> None:
        while not self._closed:
            try:
                data = self.sock.recv(4096)
            except (TimeoutError, OSError):
                continue
            self.messages.append((time.monotonic(), data.decode()))

    def wait_for(self, field: str, timeout_s: float, after: float = 0.0, alive: Callable[[], bool] = lambda: True) -> float:
        """Monotonic time of the first message after ``after`` carrying ``field`` (e.g. READY=1)."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            for at, message in list(self.messages):
                if at >= after and field in message.split("\n"):
                    return at
            if not alive():
                raise AssertionError(f"exited before {field}; got {self.messages}")
            time.sleep(0.05)
        raise AssertionError(f"no {field} within {timeout_s} s; got {self.messages}")

    def close(self) -> None:
        self._closed = True
        self._thread.join(1)
        self.sock.close()


class CageSession:
    """One cage process running ``argv`` (cage … -- app …) headless; screenshots and X input into it."""

    def __init__(self, argv: list[str], tmp: Path, env: dict[str, str] | None = None, watchdog_usec: int = 2_000_000,
                 seat: SeatDisplay | None = None) -> None:
        self.tmp = tmp
        self.seat = seat
        self.runtime = tmp / "xdg-runtime"
        self.runtime.mkdir(mode=0o700, exist_ok=True)
        self.notify = NotifySink(tmp / "notify.sock")
        self.log_path = tmp / "cage.log"
        environ = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER",
                                                                     "KIVY_HOME", "WATCHDOG_PID")}
        environ.update(env or {})
        environ.update(XDG_RUNTIME_DIR=str(self.runtime), WLR_BACKENDS="headless", WLR_LIBINPUT_NO_DEVICES="1",
                       WLR_RENDERER="pixman", NOTIFY_SOCKET=str(self.notify.path), WATCHDOG_USEC=str(watchdog_usec))
        if seat is not None:  # cage's output is a window on the seat's X server, its pointer and keyboard are cage's seat
            environ.update(WLR_BACKENDS="x11", DISPLAY=seat.display)
        prefix = ["unshare", "--user", "--map-user=1000", "--map-group=1000"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            os.chown(self.runtime, 0, 0)  # root outside = uid 1000 inside: the owner wlroots expects
        self.started = time.monotonic()
        self._log = self.log_path.open("wb")
        # sh execs unshare, which execs cage: one pid throughout, which is what systemd puts in WATCHDOG_PID (the
        # unit's main process is cage; the app is its child). Own process group: stop() ends the app and helpers.
        command = ["sh", "-c", 'export WATCHDOG_PID=$$; exec "$@"', "sh", *prefix, *argv]
        self.proc = subprocess.Popen(command, env=environ, cwd=tmp, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.env = environ

    # ----- the processes ------------------------------------------------------------------------
    def wait_for(self, field: str, timeout_s: float, after: float = 0.0) -> float:
        """A notify message from the app; fails at once (with cage's log) if cage exits first."""
        try:
            return self.notify.wait_for(field, timeout_s, after, alive=self.alive)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\ncage log:\n{self.log()}") from None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def app_pid(self) -> int:
        """cage's child: the app it was told to run (under the unit, cage is itself the child of `kiosk session`)."""
        pid = self.proc.pid
        for _ in range(3):
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            assert children, f"{pid} has no child; log:\n{self.log()}"
            pid = int(children[0])
            if not Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].endswith(b"cage"):
                return pid
        raise AssertionError(f"no app below cage; log:\n{self.log()}")

    def app_alive(self) -> bool:
        try:
            return self.alive() and Path(f"/proc/{self.app_pid()}").exists()
        except (AssertionError, FileNotFoundError):
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()
        self.notify.close()
        if self.seat is not None:
            self.seat.stop()

    # ----- the screen ---------------------------------------------------------------------------
    def _display_env(self) -> dict[str, str]:
        app_env = dict(item.split("=", 1) for item in Path(f"/proc/{self.app_pid()}/environ").read_bytes().decode().split("\0") if "=" in item)
        return {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime), "WAYLAND_DISPLAY": app_env.get("WAYLAND_DISPLAY", "wayland-0"),
                "DISPLAY": app_env.get("DISPLAY", ":0")}

    def screenshot(self, name: str) -> Image.Image:
        """The compositor's output (grim, wlroots screencopy), kept as ``tmp/<name>.png`` for a look."""
        path = self.tmp / f"{name}.png"
        subprocess.run(["grim", str(path)], env=self._display_env(), check=True, timeout=15, capture_output=True)
        with Image.open(path) as image:
            return image.convert("RGB")

    def focused_window(self, timeout_s: float = 10) -> str:
        """The X window with the keyboard focus, once cage's X window manager has given it to the app's window:
        a key sent before that goes nowhere."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            focus = subprocess.run(["xdotool", "getwindowfocus"], env=self._display_env(), capture_output=True, text=True, timeout=15)
            active = subprocess.run(["xdotool", "getactivewindow"], env=self._display_env(), capture_output=True, text=True, timeout=15)
            if focus.returncode == 0 and focus.stdout.strip() and focus.stdout.strip() == active.stdout.strip():
                return focus.stdout.strip()
            time.sleep(0.2)
        raise AssertionError(f"no X window has the focus; log:\n{self.log()}")

    def xdotool(self, *args: str) -> None:
        """Keys/pointer through XTEST into Xwayland, where the app's window is (the only X client)."""
        subprocess.run(["xdotool", *args], env=self._display_env(), check=True, timeout=15, capture_output=True)


    def seat_input(self, *args: str) -> None:
        """xdotool on the seat's X server: a real pointer/keyboard of cage's seat (wl_pointer/wl_keyboard events
        from the compositor, then Xwayland, then the app), unlike XTEST into Xwayland."""
        assert self.seat is not None, "a session started without a seat display has no pointer"
        subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": self.seat.display}, check=True, timeout=15,
                       capture_output=True)


class SeatDisplay:
    """A private Xvfb whose pointer and keyboard stand in for the terminal's touch screen: cage's wlroots x11
    backend takes its input devices from the X server it draws on. The headless backend has none (no uinput
    here), and XTEST pointer events into Xwayland reach no window (Xwayland has no pointer focus without a
    wl_pointer), so a press can only be injected this way."""

    def __init__(self, size: tuple[int, int] = (720, 1280)) -> None:
        number = next(n for n in range(120, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists())
        self.display = f":{number}"
        self.proc = subprocess.Popen(["Xvfb", self.display, "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        end = time.monotonic() + 15
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert self.proc.poll() is None and time.monotonic() < end, "Xvfb for the seat did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def colour_share(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 6) -> float:
    """Share of the pixels within ``tolerance`` (per channel) of ``rgb``."""
    total = image.width * image.height
    near = 0
    for count, colour in image.getcolors(total) or []:
        assert isinstance(colour, tuple)  # an RGB image: (r, g, b)
        if all(abs(int(a) - b) <= tolerance for a, b in zip(colour, rgb, strict=True)):
            near += int(count)
    return near / total


def changed_share(before: Image.Image, after: Image.Image, threshold: int = 40) -> float:
    """Share of pixels whose largest channel difference exceeds ``threshold``."""
    assert before.size == after.size
    from PIL import ImageChops

    diff = ImageChops.difference(before, after).convert("L").point(lambda v: 255 if v > threshold else 0)
    return (diff.histogram()[255]) / (before.width * before.height)


#: screens/theme.py NORMAL palette, 0–255: bg (0.95, 0.96, 0.98), fg (0.10, 0.12, 0.16), card white.
BACKGROUND, TEXT, CARD = (242, 245, 250), (25, 30, 40), (255, 255, 255)


def looks_like_attract(image: Image.Image) -> str:
    """Why ``image`` is not the attract screen ('' when it is): the light background fills most of it, white
    item cards and dark text are on it, and its bottom fifth is bare background (no bottom bar: attract hides it)."""
    background, cards, text = colour_share(image, BACKGROUND), colour_share(image, CARD, 2), colour_share(image, TEXT, 30)
    bottom = image.crop((0, int(image.height * 0.8), image.width, image.height))
    if background < 0.5:
        return f"background covers {background:.0%} (blank, or another screen)"
    if not 0.05 < cards < 0.4 or text < 0.002:
        return f"no item cards/text: cards {cards:.1%}, text {text:.2%}"
    if colour_share(bottom, BACKGROUND) < 0.97:
        return "the bottom of the screen is not bare: a bottom bar (not attract)"
    return ""


def wait_for_attract(session: CageSession, name: str, timeout_s: float = 20) -> Image.Image:
    """Screenshot until the attract screen shows (the first frames are black while Kivy starts)."""
    end = time.monotonic() + timeout_s
    why = "no screenshot"
    while time.monotonic() < end:
        assert session.app_alive(), f"the app exited; log:\n{session.log()}"
        image = session.screenshot(name)
        why = looks_like_attract(image)
        if not why:
            return image
        time.sleep(0.5)
    raise AssertionError(f"{name}: not the attract screen after {timeout_s} s: {why}")


def start_unit(tmp: Path, seat: SeatDisplay | None = None) -> CageSession:
    unit = rendered_unit(tmp, demo_config(tmp))
    argv = exec_start(unit)
    assert "session" in argv and argv[-1] == "--" and any(arg.endswith("cage") for arg in argv[argv.index("session"):]), argv
    return CageSession(argv, tmp, env=unit_environment(unit), seat=seat)
