"""Start and stop a pcscd with vpcd's reader, for the tests and the ``sim:`` device.

The demo must run on a fresh machine where no pcscd runs, and CI has no services: we start
``pcscd --foreground --config DIR`` with a reader.conf.d holding only vpcd (its port chosen here),
wait for the socket to accept connections, and stop only a daemon we started.

pcscd's socket path (``/run/pcscd/pcscd.comm``) is compiled in, so normally there is one per
machine: if one already runs we use it (``start()`` returns False) and never stop it. A process can
instead get a **private** pcscd: set ``PCSCLITE_CSOCK_NAME`` (which libpcsclite reads, once per
process) to a socket in a directory of its own; we then run pcscd in its own mount namespace with
that directory bound over ``/run/pcscd`` and give vpcd free TCP ports (written to ``vpcd.port``
beside the socket). That keeps the test suite's pcscd — which it kills and restarts — away from any
other pcscd on the machine. It needs root and ``unshare``; ``private_mode_available()`` says.
"""

from __future__ import annotations

import functools
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

SYSTEM_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_LIBRARY = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_PORT = 35963  # 0x8C7B: slot 0; slot 1 is port + 1
PORT_FILE = "vpcd.port"


def socket_path() -> Path:
    """The socket this process's libpcsclite talks to."""
    return Path(os.environ.get("PCSCLITE_CSOCK_NAME") or SYSTEM_SOCKET)


def pcscd_running(path: Path | None = None) -> bool:
    """True if something accepts connections on pcscd's socket (a stale file does not count)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(0.5)
        sock.connect(str(path or socket_path()))
        return True
    except OSError:
        return False
    finally:
        sock.close()


def running_vpcd_port() -> int:
    """vpcd's slot-0 port on the pcscd this process talks to (ours write it beside a private socket)."""
    try:
        return int((socket_path().parent / PORT_FILE).read_text())
    except (OSError, ValueError):
        return VPCD_PORT


def reader_name(slot: int = 0) -> str:
    """vpcd's PC/SC reader name for a slot (FRIENDLYNAME "Virtual PCD")."""
    return f"Virtual PCD 00 {slot:02d}"


@functools.lru_cache(maxsize=1)
def private_mode_available() -> bool:
    """Can we run pcscd in a private mount namespace (root + unshare)?"""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True, timeout=5)
    return probe.returncode == 0


def free_port_pair() -> int:
    """A TCP port p with p+1 also free (vpcd listens on two consecutive ports)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port >= 65535:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("0.0.0.0", port))
                b.bind(("0.0.0.0", port + 1))
            return port
        except OSError:
            continue
    raise DeviceUnavailableError("no two consecutive free TCP ports for vpcd")


class PcscDaemon:
    """One pcscd process we own. ``start()`` / ``stop()``; ``kill()`` simulates a crash."""

    def __init__(self, vpcd_port: int | None = None, *, debug: bool = False) -> None:
        self.socket = socket_path()
        self.private = self.socket != SYSTEM_SOCKET
        self.vpcd_port = vpcd_port or (free_port_pair() if self.private else VPCD_PORT)
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
        if pcscd_running(self.socket):
            log.info("pcscd already running on %s; using it", self.socket)
            self.vpcd_port = running_vpcd_port()
            return False
        binary = shutil.which("pcscd") or ("/usr/sbin/pcscd" if os.path.exists("/usr/sbin/pcscd") else None)
        if binary is None:
            raise DeviceUnavailableError("pcscd is not installed (apt-get install pcscd)")
        if not VPCD_LIBRARY.exists():
            raise DeviceUnavailableError(f"vpcd driver missing: {VPCD_LIBRARY} (apt-get install vsmartcard-vpcd)")
        args = [binary, "--foreground", "--config", self._write_config()] + (["--debug", "--apdu"] if self.debug else [])
        if self.private:
            args = self._in_private_namespace(args)
        assert self._log_path is not None
        with open(self._log_path, "ab") as out:
            self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DeviceUnavailableError(f"pcscd exited with {self.process.returncode}: {self.log_tail()}")
            if pcscd_running(self.socket):
                log.info("pcscd started (pid %d, socket %s, vpcd port %d)", self.process.pid, self.socket, self.vpcd_port)
                return True
            time.sleep(0.02)
        self.stop()
        raise DeviceUnavailableError(f"pcscd did not open {self.socket} within {timeout:.0f} s")

    def _write_config(self) -> str:
        self._confdir = self._confdir or tempfile.mkdtemp(prefix="kiosk-pcscd-")
        self._log_path = os.path.join(self._confdir, "pcscd.log")
        readers_dir = Path(self._confdir, "reader.conf.d")  # pcscd parses every file in it: nothing else there
        readers_dir.mkdir(exist_ok=True)
        conf = readers_dir / "vpcd"
        if self.with_vpcd:
            conf.write_text(
                f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:{self.vpcd_port}\n'
                f"LIBPATH {VPCD_LIBRARY}\nCHANNELID {self.vpcd_port}\n"
            )
        else:
            conf.unlink(missing_ok=True)
        return str(readers_dir)

    def _in_private_namespace(self, args: list[str]) -> list[str]:
        """Wrap ``args`` so pcscd sees our socket directory as /run/pcscd (exec keeps one pid)."""
        run_dir = self.socket.parent
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / PORT_FILE).write_text(str(self.vpcd_port))
        SYSTEM_SOCKET.parent.mkdir(parents=True, exist_ok=True)  # the mount point must exist
        script = f'mount --bind "$0" {SYSTEM_SOCKET.parent} && exec "$@"'
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, str(run_dir), *args]

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
