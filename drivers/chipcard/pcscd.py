"""Start and stop a private pcscd with vpcd's reader, for the tests and the ``sim:`` device.

The demo must run on a fresh machine where no pcscd runs, and CI has no services: we start
``pcscd --foreground --config DIR`` with a reader.conf.d holding only vpcd (its port chosen here),
wait for ``/run/pcscd/pcscd.comm`` to accept connections, and stop only a daemon we started.
pcscd's socket path is compiled in, so there is one pcscd per machine: if one already runs we use
it (``start()`` returns False) and never stop it.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from kiosk.errors import DeviceUnavailableError

log = logging.getLogger(__name__)

SOCKET_PATH = Path("/run/pcscd/pcscd.comm")
VPCD_LIBRARY = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_PORT = 35963  # 0x8C7B: slot 0; slot 1 is port + 1


def pcscd_running(path: Path = SOCKET_PATH) -> bool:
    """True if something accepts connections on pcscd's socket (a stale file does not count)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(0.5)
        sock.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        sock.close()


def reader_name(slot: int = 0) -> str:
    """vpcd's PC/SC reader name for a slot (FRIENDLYNAME "Virtual PCD")."""
    return f"Virtual PCD 00 {slot:02d}"


class PcscDaemon:
    """One pcscd process we own. ``start()`` / ``stop()``; ``kill()`` simulates a crash."""

    def __init__(self, vpcd_port: int = VPCD_PORT, *, debug: bool = False) -> None:
        self.vpcd_port = vpcd_port
        self.with_vpcd = True  # False: a pcscd without the reader (how tests unplug it)
        self.debug = debug
        self.process: subprocess.Popen[bytes] | None = None
        self._confdir: str | None = None
        self._log_path: str | None = None

    @property
    def owned(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 5.0) -> bool:
        """Start pcscd unless one answers already. True if we started it (and so must stop it)."""
        if self.owned:
            return True
        if pcscd_running():
            log.info("pcscd already running; using it")
            return False
        binary = shutil.which("pcscd") or ("/usr/sbin/pcscd" if os.path.exists("/usr/sbin/pcscd") else None)
        if binary is None:
            raise DeviceUnavailableError("pcscd is not installed (apt-get install pcscd)")
        if not VPCD_LIBRARY.exists():
            raise DeviceUnavailableError(f"vpcd driver missing: {VPCD_LIBRARY} (apt-get install vsmartcard-vpcd)")
        self._confdir = self._confdir or tempfile.mkdtemp(prefix="kiosk-pcscd-")
        conf = Path(self._confdir, "vpcd")
        if self.with_vpcd:
            conf.write_text(
                f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:{self.vpcd_port}\n'
                f"LIBPATH {VPCD_LIBRARY}\nCHANNELID {self.vpcd_port}\n"
            )
        else:
            conf.unlink(missing_ok=True)
        self._log_path = os.path.join(self._confdir, "pcscd.log")
        args = [binary, "--foreground", "--config", self._confdir] + (["--debug", "--apdu"] if self.debug else [])
        with open(self._log_path, "ab") as out:
            self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DeviceUnavailableError(f"pcscd exited with {self.process.returncode}: {self.log_tail()}")
            if pcscd_running():
                log.info("pcscd started (pid %d, vpcd port %d)", self.process.pid, self.vpcd_port)
                return True
            time.sleep(0.02)
        self.stop()
        raise DeviceUnavailableError(f"pcscd did not open {SOCKET_PATH} within {timeout:.0f} s")

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM our pcscd and wait; SIGKILL if it lingers. Never touches a pcscd we did not start."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)

    def kill(self) -> None:
        """SIGKILL our pcscd, as a crash would (the socket file stays behind)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(5.0)

    def cleanup(self) -> None:
        self.stop()
        if self._confdir:
            shutil.rmtree(self._confdir, ignore_errors=True)
            self._confdir = None

    def log_tail(self, lines: int = 5) -> str:
        if not self._log_path or not os.path.exists(self._log_path):
            return ""
        with open(self._log_path, "rb") as f:
            return " | ".join(f.read().decode("utf-8", "replace").strip().splitlines()[-lines:])
