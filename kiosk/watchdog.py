"""systemd readiness and watchdog pings, sent only while the app is really alive.

The service runs ``Type=notify`` with ``WatchdogSec=``: systemd restarts the app when pings stop.
A ping thread that pinged unconditionally would keep a frozen app alive, so ``Watchdog`` pings only
while (a) the UI loop has ticked within the interval (the Kivy Clock calls ``tick()``), (b) the flow
loop answered the probe the watchdog put on it at the previous decision (``watch_flow_loop``: a
frozen asyncio loop thread cannot run it — headless, this is the only loop) and (c) no device runner
is stuck in a command far past its deadline. Either loop frozen means no WATCHDOG=1 within two
intervals. The sd_notify datagram protocol is a few lines (``$NOTIFY_SOCKET``, ``@`` = abstract
namespace), so no dependency.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping

log = logging.getLogger(__name__)

#: A runner whose command is this long past its deadline counts as hung (its own abandon logic has failed).
RUNNER_SLACK_S = 10.0


def notify(message: str, env: dict[str, str] | None = None) -> bool:
    """Send one sd_notify datagram (``READY=1``, ``WATCHDOG=1``, ``STATUS=…``); False when not under systemd."""
    address = (env if env is not None else os.environ).get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.settimeout(1.0)  # a stuck receiver must not hang the watchdog thread (it then withholds, as it should)
            sock.connect(address)
            sock.sendall(message.encode("utf-8"))
        return True
    except OSError as exc:
        log.warning("sd_notify %r failed: %s", message.split("=")[0], exc)
        return False


def watchdog_interval_s(env: Mapping[str, str] | None = None) -> float | None:
    """Half of ``$WATCHDOG_USEC`` (systemd's advice), or None when no watchdog is asked for this process.

    Under kiosk.service systemd's main process is cage and the app its child (NotifyAccess=all), so a
    ``$WATCHDOG_PID`` of the parent is ours too (tests/system/test_cage.py)."""
    environ = os.environ if env is None else env
    usec = environ.get("WATCHDOG_USEC", "")
    pid = environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) <= 0 or (pid and pid not in (str(os.getpid()), str(os.getppid()))):
        return None
    return int(usec) / 2_000_000


def runner_hung(runner: object, now: float | None = None, slack_s: float = RUNNER_SLACK_S) -> str | None:
    """Name of the command a ``CommandRunner`` is stuck in, or None.

    A job past deadline + grace + slack means even the runner's own abandon-and-replace did not happen.
    """
    running = runner.running()  # type: ignore[attr-defined]
    if running is None:
        return None
    command, deadline = running
    now = time.monotonic() if now is None else now
    if now > deadline + float(getattr(runner, "grace_s", 2.0)) + slack_s:
        return command
    return None


class Watchdog:
    """Pings systemd from its own thread while both loops answer and no runner is hung.

    ``tick()`` is called by the UI loop (cheap: one float store); ``watch_flow_loop(loop)`` adds the
    flow loop's probe and says whether a UI loop is expected at all. ``runners`` returns the device
    runners to check (``lambda: [d.runner for d in terminal.devices.values()]``).
    """

    def __init__(self, interval_s: float | None = None, *, stale_s: float | None = None,
                 runners: Callable[[], Iterable[object]] = lambda: (), env: dict[str, str] | None = None,
                 clock: Callable[[], float] = time.monotonic, runner_slack_s: float = RUNNER_SLACK_S) -> None:
        self.runner_slack_s = runner_slack_s
        self.env = dict(env if env is not None else os.environ)
        self.interval_s = interval_s if interval_s is not None else watchdog_interval_s(self.env)
        # the UI tick must be younger than one interval (Kivy ticks every second; 5 s floor for short test intervals)
        self.stale_s = stale_s if stale_s is not None else max(5.0, self.interval_s or 5.0)
        self.ui = True  # False headless: no UI loop ticks, the flow loop's probe alone speaks for the app
        self.runners = runners
        self.clock = clock
        self._last_tick = clock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.pings = 0
        self.withheld_reason = ""
        self._flow_loop: asyncio.AbstractEventLoop | None = None
        self._probe_sent = 0  # sequence of the last probe put on the flow loop …
        self._probe_answered = 0  # … and of the last one it ran (written on the flow loop, read here: one int, GIL-atomic)

    def tick(self) -> None:
        """The UI loop is alive (call at least every ``stale_s`` / 2)."""
        self._last_tick = self.clock()

    def watch_flow_loop(self, loop: asyncio.AbstractEventLoop, *, ui: bool = True) -> Watchdog:
        """From now on a ping also needs ``loop`` to have run the previous probe; ``ui=False``: headless, no tick expected."""
        self._flow_loop, self.ui = loop, ui
        self._last_tick = self.clock()  # the UI's first tick is due one interval from now, not from construction
        self._probe_sent = self._probe_answered = 0
        self._probe()
        return self

    def _probe(self) -> None:
        """Put a cheap callback on the flow loop; the next decision checks it ran (a closed loop never answers)."""
        if self._flow_loop is None:
            return
        self._probe_sent += 1
        try:
            self._flow_loop.call_soon_threadsafe(self._answer, self._probe_sent)
        except RuntimeError:  # the loop is closed: the probe stays unanswered, pings stop
            pass

    def _answer(self, seq: int) -> None:
        self._probe_answered = seq

    def healthy(self) -> tuple[bool, str]:
        age = self.clock() - self._last_tick
        if self.ui and age > self.stale_s:
            return False, f"UI loop silent for {age:.1f} s"
        if self._flow_loop is not None and self._probe_answered != self._probe_sent:
            return False, "flow loop did not answer within the watchdog interval"
        for runner in self.runners():
            command = runner_hung(runner, slack_s=self.runner_slack_s)
            if command is not None:
                return False, f"device {getattr(runner, 'device', '?')} hung in {command}"
        return True, ""

    def ready(self, status: str = "serving") -> None:
        notify(f"READY=1\nSTATUS={status}", self.env)

    def stopping(self) -> None:
        notify("STOPPING=1", self.env)

    def ping_once(self) -> bool:
        """One watchdog decision: ping if healthy; otherwise withhold and say why (once). Then probe the flow loop anew."""
        ok, reason = self.healthy()
        if self._probe_answered == self._probe_sent:  # a frozen loop gets no pile of probes: one waits until it runs
            self._probe()
        if not ok:
            if reason != self.withheld_reason:
                log.error("watchdog: withholding ping: %s", reason)
                notify(f"STATUS=unhealthy: {reason}", self.env)
            self.withheld_reason = reason
            return False
        self.withheld_reason = ""
        if notify("WATCHDOG=1", self.env):
            self.pings += 1
        return True

    def start(self) -> Watchdog:
        if self.interval_s is None or self._thread is not None:
            return self  # not asked for a watchdog: nothing to do
        self._thread = threading.Thread(target=self._run, name="sd-watchdog", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        assert self.interval_s is not None
        while not self._stop.wait(self.interval_s):
            self.ping_once()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
