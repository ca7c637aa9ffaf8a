"""The power-cut harness: mount the lazy filesystem, cut the power, bring the disk back as it was left.

``PowerCutMount(work_dir)`` keeps three directories under ``work_dir``: ``backing`` (the live files),
``durable`` (the image that survives a cut) and ``mnt`` (the FUSE mount the terminal's data_dir lives
on). ``cut()`` freezes the image at once (every later operation fails with EIO), then the caller kills
the terminal; ``restart()`` unmounts, rebuilds ``backing`` from the image and mounts again: the state a
terminal boots into after the power came back.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sim.powercut.durable import DurableImage


def fuse_available() -> str:
    """'' when a FUSE mount can work here, else why not (for a skip message)."""
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse"
    if shutil.which("fusermount3") is None:
        return "fusermount3 missing (Debian package fuse3)"
    try:
        import mfusepy  # type: ignore[import-untyped]  # noqa: F401
    except (ImportError, OSError) as exc:
        return f"mfusepy/libfuse3 unavailable: {exc}"
    return ""


def _mounted(path: Path) -> bool:
    target = str(path.resolve())
    with open("/proc/self/mounts") as mounts:
        return any(line.split()[1] == target for line in mounts)


class PowerCutMount:
    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.backing, self.durable, self.mnt = work_dir / "backing", work_dir / "durable", work_dir / "mnt"
        self.control = work_dir / "control.sock"
        self.proc: subprocess.Popen[bytes] | None = None
        self.cuts = 0
        for d in (self.backing, self.mnt):
            d.mkdir(parents=True, exist_ok=True)

    # ----- mounting -------------------------------------------------------------------------------
    def start(self, timeout_s: float = 20.0) -> None:
        if self.control.exists():
            self.control.unlink()
        with open(self.work_dir / "lazyfs.log", "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "sim.powercut.lazyfs", str(self.backing), str(self.durable), str(self.mnt),
                                          str(self.control)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while not (_mounted(self.mnt) and self.control.exists()):
            if self.proc.poll() is not None:
                raise RuntimeError(f"lazyfs exited with {self.proc.returncode}: {(self.work_dir / 'lazyfs.log').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("lazyfs did not mount in time")
            time.sleep(0.02)

    def _ask(self, command: str) -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(30)
            conn.connect(str(self.control))
            conn.sendall(command.encode() + b"\n")
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                answer += chunk
        result: dict[str, Any] = json.loads(answer)
        return result

    def stats(self) -> dict[str, Any]:
        return self._ask("stats")

    def cut(self) -> dict[str, Any]:
        """The power goes: from this instant nothing more becomes durable and every operation fails."""
        self.cuts += 1
        return self._ask("cut")

    def stop(self) -> None:
        """A clean unmount (the daemon exits by itself once no file on the mount is open)."""
        if _mounted(self.mnt):
            subprocess.run(["fusermount3", "-u", "-z", str(self.mnt)], check=False, capture_output=True)
        self._end_daemon(grace_s=10.0)

    def _end_daemon(self, grace_s: float) -> None:
        if self.proc is not None:
            try:
                self.proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def power_off(self) -> None:
        """After ``cut`` (the image is frozen: nothing of the daemon is still needed): the daemon is killed, which
        aborts the FUSE connection so a stuck handle of the dead terminal cannot hold the mount, and detached."""
        if self.proc is not None:
            self.proc.kill()
        self._end_daemon(grace_s=10.0)
        if _mounted(self.mnt):
            subprocess.run(["fusermount3", "-u", "-z", str(self.mnt)], check=False, capture_output=True)

    def restart(self) -> dict[str, int]:
        """After a cut: the disk as the image left it, mounted again; returns what came back."""
        self.power_off()
        counts = DurableImage.load(self.durable).restore(self.backing)
        self.start()
        return counts

    def __enter__(self) -> PowerCutMount:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
