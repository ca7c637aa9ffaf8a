"""systemd readiness and watchdog pings, sent only while the app is really alive.

The service runs ``Type=notify`` with ``WatchdogSec=``: systemd restarts the app when pings stop.
A ping thread that pinged unconditionally would keep a frozen app alive, so ``Watchdog`` pings only
while (a) the main loop has ticked recently (the Kivy Clock calls ``tick()``; headless, the asyncio
loop does) and (b) no device runner is stuck in a command far past its deadline. The sd_notify
datagram protocol is a few lines (``$NOTIFY_SOCKET``, ``@`` = abstract namespace), so no dependency.
"""

from __future__ import annotations

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
    """Pings systemd from its own thread while the main loop ticks and no runner is hung.

    ``tick()`` is called by the main loop (cheap: one float store). ``runners`` returns the device
    runners to check (``lambda: [d.runner for d in terminal.devices.values()]``).
    """

    def __init__(self, interval_s: float | None = None, *, stale_s: float | None = None,
                 runners: Callable[[], Iterable[object]] = lambda: (), env: dict[str, str] | None = None,
                 clock: Callable[[], float] = time.monotonic, runner_slack_s: float = RUNNER_SLACK_S) -> None:
        self.runner_slack_s = runner_slack_s
        self.env = dict(env if env is not None else os.environ)
        self.interval_s = interval_s if interval_s is not None else watchdog_interval_s(self.env)
        self.stale_s = stale_s if stale_s is not None else max(5.0, 2 * (self.interval_s or 5.0))
        self.runners = runners
        self.clock = clock
        self._last_tick = clock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.pings = 0
        self.withheld_reason = ""

    def tick(self) -> None:
        """The main loop is alive (call at least every ``stale_s`` / 2)."""
        self._last_tick = self.clock()

    async def tick_forever(self, period_s: float = 1.0) -> None:
        """Headless apps: let the asyncio loop be the main loop that ticks (cancel the task to stop)."""
        import asyncio

        while True:
            self.tick()
            await asyncio.sleep(period_s)

    def healthy(self) -> tuple[bool, str]:
        age = self.clock() - self._last_tick
        if age > self.stale_s:
            return False, f"main loop silent for {age:.1f} s"
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
        """One watchdog decision: ping if healthy; otherwise withhold and say why (once)."""
        ok, reason = self.healthy()
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
