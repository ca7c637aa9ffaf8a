"""A TCP 9100 ESC/POS printer: stores jobs split at cuts and answers DLE EOT from settable status bits.

Why a real socket peer: the driver under test is the production network driver (python-escpos
``Network``), so reconnects after a power cycle, silent printers and paper-end answers are exercised
on the wire. The demo and the UI's developer panel drive it through the control API below. Faults a
kiosk meets: paper out at boot (``set_paper`` before ``start``), the roll ending mid-job
(``paper_out_after``), a head that hangs after a job (``silent_after_job``), a peer that takes the
connection and never answers (``set_silent``), and a presenter that holds the receipt until taken.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path

from drivers.printer import protocol as P
from drivers.printer.tokens import tokenize

log = logging.getLogger(__name__)
PAPER_STATES = ("ok", "near_end", "out")


class PrinterEmulator:
    """Thread-based; ``port=0`` picks a free loopback port (read ``.port`` after ``start()``)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, job_dir: str | Path | None = None, width_dots: int = 576) -> None:
        self.host = host
        self.width_dots = width_dots  # paper width for the saved previews (384 for 58 mm, 576 for 80 mm)
        self.port = port
        self.job_dir = Path(job_dir) if job_dir else None
        self.paper = "ok"
        self.cover_open = False
        self.cutter_error = False
        self.silent = False
        self.jobs: list[bytes] = []  # complete jobs, each ending with its cut
        self.discarded = 0  # bytes received while the printer could not print (paper out, cover open)
        self.queries = 0
        self.torn: list[bytes] = []  # what came out of a job the roll ended in (printed, never cut)
        self.presenter = False  # a kiosk head with a presenter: answers DLE EOT 20 with the ticket-out bit
        self.ticket_out = False  # a cut receipt waits in the presenter's mouth
        self.take_after_s = 0.0  # > 0: the citizen takes each receipt this long after it is presented
        self._paper_left: int | None = None  # bytes until the roll ends (paper_out_after)
        self._silent_after_job = False
        self._pending = bytearray()  # printed since the last cut
        self._lock = threading.Condition()
        self._listener: socket.socket | None = None
        self._clients: set[socket.socket] = set()
        self._ptys: list[tuple[int, int]] = []
        self._interrupt_next = False
        self._powered = False

    # ----- control API -------------------------------------------------------------------------
    def set_paper(self, state: str) -> None:
        if state not in PAPER_STATES:
            raise ValueError(f"paper must be one of {PAPER_STATES}, got {state!r}")
        self.paper = state

    def set_cover(self, open_: bool) -> None:
        self.cover_open = bool(open_)

    def set_cutter_error(self, error: bool) -> None:
        self.cutter_error = bool(error)

    def set_silent(self, silent: bool) -> None:
        """A printer that prints but never answers status queries (many cheap heads, or a broken return line)."""
        self.silent = bool(silent)

    def paper_out_after(self, n_bytes: int) -> None:
        """The roll ends after ``n_bytes`` more printed bytes: the job in progress comes out torn, the rest is lost."""
        self._paper_left = max(0, int(n_bytes))

    def silent_after_job(self) -> None:
        """The head prints the next job, then hangs: it never answers a status query again (until ``set_silent(False)``)."""
        self._silent_after_job = True

    def set_presenter(self, on: bool, take_after_s: float = 0.0) -> None:
        """A paper presenter that reports a waiting receipt; ``take_after_s`` > 0 takes each one by itself."""
        self.presenter = bool(on)
        self.take_after_s = float(take_after_s)

    def take(self) -> None:
        """The citizen pulls the receipt out of the presenter."""
        self.ticket_out = False

    def interrupt_next_job(self) -> None:
        """The next job's first bytes cut the connection (a power blip mid-job); nothing of it is printed."""
        self._interrupt_next = True

    def status_bytes(self) -> dict[int, int]:
        return P.encode_status(True, self.paper, self.cover_open, self.cutter_error)

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        with self._lock:
            self._lock.wait_for(lambda: len(self.jobs) >= count, timeout)
            return list(self.jobs)

    def clear_jobs(self) -> None:
        with self._lock:
            self.jobs.clear()

    # ----- power -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._powered

    def start(self) -> PrinterEmulator:
        if self._powered:
            return self
        listener = socket.create_server((self.host, self.port))  # SO_REUSEADDR: same port after a power cycle
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._powered = True
        threading.Thread(target=self._accept_loop, args=(listener,), name=f"printer-emu-{self.port}", daemon=True).start()
        log.info("printer emulator listening on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        """Power off: drop every connection and the unfinished job (a real head loses its buffer)."""
        self._powered = False
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in another thread
            except OSError:
                pass
            listener.close()
        with self._lock:
            clients = list(self._clients)
            self._clients.clear()
            self._pending.clear()
        for fds in self._ptys:
            for fd in fds:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._ptys.clear()
        for c in clients:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def power_cycle(self, down_s: float = 0.3, wait: bool = True) -> None:
        """Off, ``down_s`` seconds dark, on again on the same port."""
        self.stop()
        if wait:
            time.sleep(down_s)
            self.start()
        else:
            timer = threading.Timer(down_s, self.start)
            timer.daemon = True
            timer.start()

    # ----- wire --------------------------------------------------------------------------------
    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # listener closed: powered off
            with self._lock:
                if not self._powered:
                    conn.close()
                    return
                self._clients.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                buf += chunk
                buf = self._consume(conn.sendall, buf)
        except OSError:
            pass
        finally:
            with self._lock:
                self._clients.discard(conn)
            conn.close()

    def _consume(self, reply: Callable[[bytes], object], buf: bytes) -> bytes:
        tokens, end = tokenize(buf)
        for tok in tokens:
            raw = buf[tok.start:tok.end]
            if tok.kind == "DLE EOT":
                self.queries += 1
                if self.silent:
                    continue
                if tok.args[0] == P.FULL_STATUS_N:
                    if self.presenter:  # a head without a presenter ignores n = 20
                        reply(P.encode_full_status(self.paper, self.cover_open, self.ticket_out))
                    continue
                reply(bytes([self.status_bytes().get(tok.args[0], 0x12)]))
                continue
            if tok.kind == "GS r" and tok.args[:1] in (b"\x01", b"1"):
                if not self.silent:
                    reply(b"\x0f" if self.paper == "out" else b"\x00")
                continue
            with self._lock:
                if self._interrupt_next:  # power lost as the job arrives: the head resets, the job is gone
                    self._interrupt_next = False
                    self._pending.clear()
                    raise ConnectionResetError("emulated power loss during a job")
                if self.paper == "out" or self.cover_open:
                    self.discarded += len(raw)
                    continue
                if self._paper_left is not None:
                    if len(raw) > self._paper_left:  # the roll ends inside this command
                        self._paper_left = None
                        self.paper = "out"
                        self.torn.append(bytes(self._pending))
                        self._pending.clear()
                        self.discarded += len(raw)
                        continue
                    self._paper_left -= len(raw)
                self._pending += raw
                if tok.kind == "GS V":
                    self._finish_job()
        return buf[end:]

    def serve_pty(self) -> str:
        """Also answer on a pseudo-terminal (a serial head); returns the device path for ``serial://``."""
        master, slave = os.openpty()
        tty.setraw(slave)
        self._ptys.append((master, slave))

        def loop() -> None:
            buf = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    return  # closed by stop()
                if not chunk:
                    return
                buf = self._consume(lambda data: os.write(master, data), buf + chunk)

        threading.Thread(target=loop, name="printer-emu-pty", daemon=True).start()
        return os.ttyname(slave)

    def _finish_job(self) -> None:
        job = bytes(self._pending)
        self._pending.clear()
        self.jobs.append(job)
        if self._silent_after_job:
            self._silent_after_job = False
            self.silent = True
        if self.presenter:
            self.ticket_out = True
            if self.take_after_s > 0:
                timer = threading.Timer(self.take_after_s, self.take)
                timer.daemon = True
                timer.start()
        if self.job_dir is not None:
            self.job_dir.mkdir(parents=True, exist_ok=True)
            path = self.job_dir / f"job-{len(self.jobs):04d}.bin"
            path.write_bytes(job)
            try:  # the picture too, so a demo operator sees what came out of the "printer"
                from drivers.printer.render import render

                path.with_suffix(".png").write_bytes(render(job, width_dots=self.width_dots).png())
            except Exception as exc:  # noqa: BLE001 — a preview failure (font, PIL) must never lose the job itself
                log.warning("printer emulator: cannot render job %d: %s", len(self.jobs), exc)
            log.info("printer emulator: job %d (%d bytes) → %s", len(self.jobs), len(job), path)
        self._lock.notify_all()
