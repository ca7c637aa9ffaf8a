"""Zygote for the SIGKILL test: imports everything once, then forks one submitter per stdin line.

Protocol (line based): parent writes ``go <cycle>``; the zygote forks, prints ``PID <pid>``; the
forked submitter enqueues applications (printing ``A <marker> <entry_id>`` after each enqueue has
returned) while its delivery worker sends them, until the parent SIGKILLs it. The zygote holds no
threads and opens nothing before forking, so each child starts clean.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import httpx
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from kiosk.terminal.outbox import DeliveryWorker, Material, Outbox, load_or_create_seal_key
from kiosk.terminal.platform import PlatformClient


# Built before forking: creating an SSL context costs ~60 ms, which would dominate each short life.
_SSL = httpx.create_ssl_context()


def _say(line: str) -> None:
    os.write(1, (line + "\n").encode())


async def _submitter(cycle: int, url: str, data_dir: str, token: str) -> None:
    key = load_pem_private_key(open(os.path.join(data_dir, "terminal.key"), "rb").read(), password=None)
    http = httpx.AsyncClient(verify=_SSL, timeout=5)
    client = PlatformClient(url, "CQ-500112-KILL", key, enrollment_code="DEMO-ENROLL", district_code="500112", retries=0, http=http)  # type: ignore[arg-type]
    outbox = Outbox(os.path.join(data_dir, "outbox.db"), load_or_create_seal_key(os.path.join(data_dir, "outbox.key")), "CQ-500112-KILL")
    worker = DeliveryWorker(outbox, client, backoff_base_s=0.001, backoff_max_s=0.01, idle_poll_s=0.01)
    delivery = asyncio.create_task(worker.run())
    for index in range(10_000):
        marker = f"{cycle}-{index}"
        material = Material("form", "申请表", "scan", "image/jpeg", b"\xff\xd8" + marker.encode() * 50)
        entry = outbox.enqueue({"item_code": "CQ-RS-0004", "person_token": token, "mode": "online", "receiving_district": "500112",
                                "form": {"marker": marker}}, [material])
        _say(f"A {marker} {entry.id}")
        worker.kick()
        await asyncio.sleep(0.01)
    delivery.cancel()


def main() -> None:
    url, data_dir, token = sys.argv[1:4]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed submitters are reaped automatically
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != "go":
            break
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            asyncio.run(_submitter(int(parts[1]), url, data_dir, token))
            os._exit(0)
        _say(f"PID {pid}")


if __name__ == "__main__":
    main()
