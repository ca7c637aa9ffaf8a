"""A private Xvfb for the interactive demo's tests and the Chromium comparison (no kivy import here).

``-displayfd`` lets Xvfb pick a free display number and report it, so it never clashes with another X server.
"""

from __future__ import annotations

import os
import shutil
import subprocess


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen[bytes], str] | None:
    """Start Xvfb with one ``width``×``height`` screen; (process, ":N"), or None if Xvfb is missing or failed."""
    if shutil.which("Xvfb") is None:
        return None
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        proc.wait()
        return None
    return proc, f":{number}"
