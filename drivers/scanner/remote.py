"""The kiosk side of the scanner worker process (``drivers.scanner.worker``): start, call, abort, kill.

Why: libsane can deadlock its whole process (a reader thread canceled inside malloc keeps an arena
lock), so it runs in a child started with ``subprocess`` (fork+exec at once, never a bare fork of
this threaded process). Every call polls the command's ``CancelToken``; on cancel or deadline it
sends ``abort`` (the child calls ``sane_cancel`` from its second thread) and, if no answer comes
within ``grace_s``, kills the child. A dead child is a ``DeviceIOError`` (or the token's own
timeout/cancel); the driver starts a fresh one for its next command.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kiosk.errors import DeviceIOError, DeviceUnavailableError
from kiosk.terminal.cancel import CancelToken

_ROOT = str(Path(__file__).resolve().parents[2])  # so ``-m drivers.scanner.worker`` imports from a checkout too
POLL_S = 0.02


class SaneError(Exception):
    """A libsane failure in the worker; ``args[0]`` is the ``sane_strstatus`` text, as python-sane gives it."""


class SaneWorker:
    """One child process holding one libsane init and (at most) one open device. Not thread-safe:
    only the device's worker thread calls it."""

    def __init__(self, label: str, grace_s: float = 1.0) -> None:
        self.label = label
        self.grace_s = grace_s  # below the runner's own 2 s grace, so the runner never has to abandon us
        self._proc: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        self.stop()
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH", "")) if p)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "drivers.scanner.worker", str(to_child), str(from_child)],
                pass_fds=(to_child, from_child), stdin=subprocess.DEVNULL, env=env, close_fds=True,
            )
        except OSError as exc:
            for fd in (to_child, from_parent, to_parent, from_child):
                os.close(fd)
            raise DeviceUnavailableError(f"cannot start the scanner worker: {exc}") from None
        os.close(to_child)
        os.close(from_child)
        self._send = Connection(from_parent, readable=False)
        self._recv = Connection(to_parent, writable=False)

    def call(self, *request: Any, token: CancelToken | None = None, timeout: float = 10.0) -> Any:
        """Run one request in the child and return its value. ``token`` (else ``timeout`` seconds)
        bounds it: past that the child is asked to abort, and killed if it stays silent."""
        if token is None:
            token = CancelToken(time.monotonic() + timeout)
        if not self.alive or self._send is None or self._recv is None:
            raise self._gone(token, "is not running")
        try:
            self._send.send(request)
        except (OSError, ValueError):
            raise self._gone(token, "stopped taking requests") from None
        aborted_at: float | None = None
        while True:
            try:
                if self._recv.poll(POLL_S):
                    reply = self._recv.recv()
                    break
            except (EOFError, OSError):
                raise self._gone(token, "died") from None
            if aborted_at is None:
                if token.cancelled or token.remaining() <= 0:
                    aborted_at = time.monotonic()
                    try:
                        self._send.send(("abort",))
                    except (OSError, ValueError):
                        raise self._gone(token, "died") from None
            elif time.monotonic() - aborted_at > self.grace_s:
                self.kill()
                raise self._gone(token, f"did not stop within {self.grace_s:g} s and was killed")
        if reply[0] == "ok":
            return reply[1]
        if reply[1] == "unavailable":
            raise DeviceUnavailableError(reply[2])
        raise SaneError(reply[2])

    def _gone(self, token: CancelToken, what: str) -> Exception:
        """The child cannot answer: reap it and say why (the token's own cancel/timeout first)."""
        self.kill()
        code = self._proc.returncode if self._proc is not None else None
        try:
            token.check()
        except Exception as exc:  # noqa: BLE001 — CommandCanceled / DeviceTimeoutError: what the driver reports now
            return exc
        how = f" (signal {-code})" if code is not None and code < 0 else f" (exit {code})" if code else ""
        return DeviceIOError(f"scanner worker process {what}{how}")

    def kill(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
        if proc is not None:
            try:
                proc.wait(5.0)
            except subprocess.TimeoutExpired:  # pragma: no cover - an unkillable (D-state) child
                pass
        self._close_pipes()

    def stop(self, timeout: float = 5.0) -> None:
        """Close politely (``close`` request: sane_close + sane_exit in the child), else kill."""
        if self.alive:
            try:
                self.call("close", timeout=timeout)
            except Exception:  # noqa: BLE001 - closing must not raise; the kill below settles it
                pass
            if self._proc is not None:
                try:
                    self._proc.wait(self.grace_s)
                except subprocess.TimeoutExpired:
                    pass
        self.kill()
        self._proc = None

    def _close_pipes(self) -> None:
        for conn in (self._send, self._recv):
            if conn is not None:
                try:
                    conn.close()
                except OSError:
                    pass
        self._send = self._recv = None
