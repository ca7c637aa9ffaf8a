"""The scanner worker process: every libsane call of the scanner driver runs here, never in the kiosk.

Why a process: sanei_thread backends (the ``test`` backend among them) end a pass by
``pthread_cancel``-ing their reader thread with asynchronous cancellation. When that lands inside
malloc/free the thread dies holding a glibc arena lock and every thread touching that arena —
including one holding the GIL — blocks forever. In a child only the child freezes; the parent
(``drivers.scanner.remote``) kills it and starts a fresh one.

Run as ``python -m drivers.scanner.worker FD_IN FD_OUT`` (inherited pipe ends). Requests are pickled
tuples; each gets exactly one reply ``("ok", value)`` or ``("err", kind, message)``, sent only by the
main thread. ``("abort",)`` is the exception: the reader thread calls ``sane_cancel`` at once (allowed
from any thread by the SANE standard) while the main thread is inside ``start``/``snap``, and it
gets no reply of its own. EOF on FD_IN (the parent closed or died) ends the process.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any

from drivers.scanner.sanelib import LIBRARY, keep_sigpipe_ignored
from kiosk.errors import DeviceUnavailableError


class _Worker:
    def __init__(self, out: Connection) -> None:
        self.out = out
        self.dev: Any = None
        self.acquired = False

    def handle(self, request: tuple[Any, ...]) -> tuple[Any, ...]:
        op, args = request[0], request[1:]
        try:
            return ("ok", getattr(self, f"op_{op}")(*args))
        except DeviceUnavailableError as exc:
            return ("err", "unavailable", str(exc))
        except Exception as exc:  # noqa: BLE001 — _sane.error carries only sane_strstatus(); keep that text
            return ("err", "sane", str(exc.args[0]) if exc.args else str(exc))

    def op_open(self, device_name: str, config_dir: str) -> dict[str, tuple[int, Any, bool]]:
        """Init libsane (SANE_CONFIG_DIR set here, in this process only) and open the device;
        return every option as ``name -> (type, constraint, settable)``."""
        sane = LIBRARY.acquire(config_dir)
        self.acquired = True
        try:
            self.dev = sane.open(device_name)
        except Exception as exc:  # noqa: BLE001 — _sane.error, RuntimeError
            raise DeviceUnavailableError(f"cannot open SANE device {device_name!r}: {exc}") from None
        options: dict[str, tuple[int, Any, bool]] = {}
        for name in self.dev.optlist:
            option = self.dev[name]
            options[name] = (int(option.type), option.constraint, bool(option.is_settable()))
        return options

    def op_set(self, name: str, value: Any) -> None:
        setattr(self.dev, name, value)

    def op_get(self, name: str) -> Any:
        return getattr(self.dev, name)

    def op_cancel(self) -> None:
        if self.dev is not None:
            self.dev.cancel()

    def op_snap(self, no_cancel: bool) -> Any:
        try:
            self.dev.start()
            return self.dev.snap(no_cancel=no_cancel)
        finally:
            keep_sigpipe_ignored()

    def op_close(self) -> None:
        dev, self.dev = self.dev, None
        try:
            if dev is not None:
                dev.close()
        finally:
            if self.acquired:
                self.acquired = False
                LIBRARY.release()


def _read(inp: Connection, worker: _Worker, jobs: queue.Queue[tuple[Any, ...]]) -> None:
    """Second thread: sees ``abort`` while the main thread is blocked in libsane."""
    while True:
        try:
            request = inp.recv()
        except (EOFError, OSError):
            os._exit(0)  # the parent is gone or closed us: nobody wants a reply
        if request[0] == "abort":
            dev = worker.dev
            if dev is not None:
                try:
                    dev.cancel()
                except Exception:  # noqa: BLE001 — a closed handle: nothing to stop
                    pass
            continue
        jobs.put(request)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C at a technician's shell is the parent's
    inp, out = Connection(int(argv[0]), writable=False), Connection(int(argv[1]), readable=False)
    worker = _Worker(out)
    jobs: queue.Queue[tuple[Any, ...]] = queue.Queue()
    threading.Thread(target=_read, args=(inp, worker, jobs), name="scanner-worker-reader", daemon=True).start()
    while True:
        request = jobs.get()
        reply = worker.handle(request)
        try:
            out.send(reply)
        except (OSError, ValueError):
            return 0
        if request[0] == "close":
            return 0


if __name__ == "__main__":
    os._exit(main(sys.argv[1:]))  # no interpreter teardown racing libsane's own threads
