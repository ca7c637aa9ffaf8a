"""A scan must not leave the process killable by SIGPIPE (libsane resets it to the default).

With SIGPIPE at its default, writing to a socket whose peer went away kills the whole kiosk instead
of raising BrokenPipeError. The check reads the kernel's view (/proc/self/status), which is what
matters: Python's own ``signal.getsignal`` does not see a change made from C.
"""

from __future__ import annotations

import socket

from sim.devices.scanner.emulator import SimScanner


def sigpipe_ignored() -> bool:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("SigIgn:"):
                return bool(int(line.split()[1], 16) & (1 << 12))  # SIGPIPE is signal 13
    raise AssertionError("no SigIgn line")


async def test_scanning_keeps_sigpipe_ignored_and_a_broken_socket_is_an_error(sim_scanner: SimScanner) -> None:
    assert sigpipe_ignored()
    done = await sim_scanner.scan(source="adf", mode="gray", dpi=50, max_pages=2)
    assert done.ok, done.description
    assert sigpipe_ignored()
    ours, theirs = socket.socketpair()
    theirs.close()
    try:
        ours.sendall(b"x" * 4096)  # would kill the process with SIGPIPE at its default
        raise AssertionError("send to a closed peer succeeded")
    except BrokenPipeError:
        pass
    finally:
        ours.close()
