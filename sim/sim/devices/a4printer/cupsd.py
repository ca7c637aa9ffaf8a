"""A private cupsd: own ServerRoot, spool, port and backend, for the emulator, the demo and the tests.

Why private: CI and the demo have no CUPS running, and a test must never print on the host's real
queues. The queue's device is our ``kioskfile`` backend (a root-owned 0700 script in a private
ServerBin, so cupsd runs it as root), which writes each job to ``out_dir/job-N.pdf`` byte for byte
(a raw queue: no filters). A ``.fault`` file in ``out_dir`` makes the backend fail with a printer
state reason (media-jam-error …), which is how the emulator injects jams and paper-out; a ``.wait``
file makes it report the reason and wait, as a real printer waits for paper with the job half done.
``reasons`` are the queue's printer-state-reasons at boot (``Reason`` lines of printers.conf): a
printer that was out of paper before the terminal started.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from drivers.a4printer.ipp import IppClient, IppError

CUPSD = "/usr/sbin/cupsd"
SYSTEM_SERVER_BIN = Path("/usr/lib/cups")

BACKEND_SCRIPT = """#!/bin/sh
# kioskfile backend: writes the job to the directory named by the device URI.
if [ $# -eq 0 ]; then echo 'direct kioskfile "Unknown" "Kiosk file sink"'; exit 0; fi
dir="${DEVICE_URI#kioskfile:}"
if [ -s "$dir/.fault" ]; then
  reason=$(cat "$dir/.fault")
  echo "STATE: +$reason" >&2
  echo "ERROR: printer reports $reason" >&2
  exit 1
fi
if [ -s "$dir/.wait" ]; then
  reason=$(cat "$dir/.wait")
  echo "STATE: +$reason" >&2
  echo "INFO: printer waits: $reason" >&2
  while [ -s "$dir/.wait" ]; do sleep 0.1; done
fi
out="$dir/job-$1.pdf"
if [ -n "$6" ]; then cat "$6" > "$out.part"; else cat > "$out.part"; fi
mv "$out.part" "$out"
echo "STATE: -media-empty-error media-needed-error media-jam-error door-open-error toner-empty-error" >&2
echo "INFO: job $1 written" >&2
exit 0
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateCupsd:
    """Start with ``start()``, stop with ``stop()`` (also a context manager). Needs root, like cupsd."""

    def __init__(self, queue: str = "kiosk-a4", root: Path | None = None, port: int | None = None, error_policy: str = "stop-printer",
                 reasons: tuple[str, ...] = ()) -> None:
        self.queue = queue
        self.reasons = reasons  # printer-state-reasons at boot
        self.error_policy = error_policy  # what cupsd does when the backend fails: stop-printer | abort-job | retry-job
        self._own_root = root is None
        self._root = Path(root) if root else None  # made by start() when not given, removed by stop()
        self.port = port or free_port()
        self._proc: subprocess.Popen[bytes] | None = None
        self.start_s = 0.0

    # ----- lifecycle -------------------------------------------------------------------------
    @property
    def root(self) -> Path:
        if self._root is None:
            raise RuntimeError("private cupsd not started")
        return self._root

    @property
    def out_dir(self) -> Path:
        """Where the queue's backend writes ``job-N.pdf``."""
        return self.root / "out"

    @property
    def server(self) -> str:
        """What ``lp -h`` / ``CUPS_SERVER`` take."""
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 10.0) -> PrivateCupsd:
        if not os.path.exists(CUPSD):
            raise FileNotFoundError(f"{CUPSD} not installed (apt-get install cups)")
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="kiosk-cupsd-"))
        self._write_tree()
        started = time.monotonic()
        with open(self.root / "log" / "cupsd.stderr", "wb") as log:
            self._proc = subprocess.Popen(
                [CUPSD, "-f", "-c", str(self.root / "conf" / "cupsd.conf"), "-s", str(self.root / "conf" / "cups-files.conf")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            )
        client = IppClient("127.0.0.1", self.port, timeout_s=1.0)
        while True:
            if self._proc.poll() is not None:
                message = f"cupsd exited with {self._proc.returncode}: {self.error_log()[-800:]}"
                self.stop()
                raise RuntimeError(message)
            try:
                client.printer_attributes(self.queue)
                break
            except IppError:
                if time.monotonic() - started > timeout:
                    self.stop()
                    raise TimeoutError(f"private cupsd did not answer within {timeout} s") from None
                time.sleep(0.01)
        self.start_s = time.monotonic() - started
        return self

    def stop(self) -> None:
        """Terminate cupsd (its own process id only) and remove the tree if we made it."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5.0)
        if self._own_root and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def __enter__(self) -> PrivateCupsd:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----- control (the emulator's surface) --------------------------------------------------
    def run_tool(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a CUPS client tool (cupsdisable, cupsreject …) against this server."""
        return subprocess.run([args[0], "-h", self.server, *args[1:]], capture_output=True, text=True, timeout=10)

    def set_fault(self, reason: str | None) -> None:
        """Make the next job fail with this printer-state reason (e.g. ``media-jam-error``); None clears."""
        self._flag(".fault", reason)

    def set_waiting(self, reason: str | None) -> None:
        """Make jobs report this reason and wait (the printer holds the job until someone acts); None releases them."""
        self._flag(".wait", reason)

    def _flag(self, name: str, reason: str | None) -> None:
        flag = self.out_dir / name
        if reason:
            flag.write_text(reason)
        else:
            flag.unlink(missing_ok=True)

    def jobs(self) -> list[Path]:
        """Files the queue has printed, oldest first."""
        return sorted(self.out_dir.glob("job-*.pdf"), key=lambda p: int(p.stem.split("-")[1]))

    def error_log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text(errors="replace") if path.exists() else ""

    # ----- the private tree ------------------------------------------------------------------
    def _write_tree(self) -> None:
        r = self.root
        for sub in ("conf", "spool/tmp", "cache", "state", "log", "run", "bin/backend", "out"):
            (r / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(r, 0o755)
        for name in ("filter", "cgi-bin", "daemon", "notifier", "monitor", "driver"):
            link = r / "bin" / name
            if not link.exists() and (SYSTEM_SERVER_BIN / name).exists():
                link.symlink_to(SYSTEM_SERVER_BIN / name)
        backend = r / "bin" / "backend" / "kioskfile"
        backend.write_text(BACKEND_SCRIPT)
        os.chmod(backend, 0o700)  # 0700 root-owned: cupsd runs it as root
        (r / "conf" / "cups-files.conf").write_text(
            f"ServerRoot {r}/conf\nRequestRoot {r}/spool\nTempDir {r}/spool/tmp\nCacheDir {r}/cache\n"
            f"StateDir {r}/state\nServerBin {r}/bin\nDataDir /usr/share/cups\nDocumentRoot /usr/share/cups/doc-root\n"
            f"AccessLog {r}/log/access_log\nErrorLog {r}/log/error_log\nPageLog {r}/log/page_log\n"
            f"FileDevice No\nSandboxing Relaxed\nSystemGroup root\nUser lp\nGroup lp\n"
        )
        (r / "conf" / "cupsd.conf").write_text(
            f"LogLevel info\nListen 127.0.0.1:{self.port}\nBrowsing No\nDefaultAuthType None\nWebInterface No\n"
            f"ErrorPolicy {self.error_policy}\nPreserveJobHistory Yes\nPreserveJobFiles No\nMaxJobs 0\n"
            "<Location />\n  Order allow,deny\n  Allow 127.0.0.1\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order allow,deny\n    Allow 127.0.0.1\n  </Limit>\n</Policy>\n"
        )
        printers = r / "conf" / "printers.conf"
        if not printers.exists():
            reasons = "".join(f"Reason {r}\n" for r in self.reasons)
            printers.write_text(
                f"<DefaultPrinter {self.queue}>\nInfo Kiosk A4 file sink\nDeviceURI kioskfile:{self.out_dir}\n"
                f"State Idle\n{reasons}Accepting Yes\nShared No\n</DefaultPrinter>\n"
            )
