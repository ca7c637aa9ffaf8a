"""Platform benchmarks: outbox throughput into the emulator, and p95 of a submit with 3 × 300 KB materials.

The emulator runs as a separate process (``kiosk platform serve``) on loopback, as a remote platform
would, so the terminal side and the server do not share one GIL.
Goals (bench/goals.toml): the outbox delivers ≥ 0.9× the rate of the same requests sent directly by the
client (upload one 20 KB scan, submit), against the same server; p95 ≤ 500 ms for a submit with three 300 KB
scans (the citizen waits for it on screen).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.terminal.outbox import DeliveryWorker, Material, Outbox, load_or_create_seal_key  # noqa: E402
from kiosk.terminal.platform import PlatformClient, load_or_create_key  # noqa: E402
from report import goal, record  # noqa: E402  (bench/ is the script's own directory on sys.path)

GOAL_P95_S = goal("submit_p95").value / 1000
N_OUTBOX = 300
N_SUBMITS = 40


def _start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli.main", "platform", "serve", "--port", str(port), "--db", str(tmp / "platform.db")],
                            cwd=ROOT, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            httpx.get(url + "/v1/ping", timeout=0.5)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.025)
    proc.kill()
    raise SystemExit("emulator did not start")


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _bench(url: str, tmp: Path) -> None:
    client = PlatformClient(url, "CQ-500112-BENCH", load_or_create_key(tmp / "terminal.key"), enrollment_code="DEMO-ENROLL", district_code="500112")
    await client.register()
    token = (await client.verify_code("YKM1-ZHANGSAN-7F3K2Q9M")).person_token
    app = {"item_code": "CQ-RS-0004", "person_token": token, "mode": "online", "receiving_district": "500112"}

    outbox = Outbox(tmp / "outbox.db", load_or_create_seal_key(tmp / "outbox.key"), "CQ-500112-BENCH")
    worker = DeliveryWorker(outbox, client)
    enqueue_s: list[float] = []
    started = time.perf_counter()
    for i in range(N_OUTBOX):
        t0 = time.perf_counter()
        outbox.enqueue({**app, "form": {"n": str(i)}}, [Material("form", "申请表", "scan", "image/jpeg", b"\xff\xd8" + os.urandom(20_000))])
        enqueue_s.append(time.perf_counter() - t0)
    assert await worker.drain(timeout_s=300)
    elapsed = time.perf_counter() - started
    rate = N_OUTBOX / elapsed
    print(f"outbox → emulator: {N_OUTBOX} applications (one 20 KB scan each) in {elapsed:.2f} s = {rate:.1f} applications/s")
    direct_started = time.perf_counter()
    for i in range(N_OUTBOX):  # the same requests, straight from the client: what the outbox adds is the difference
        scan = b"\xff\xd8" + os.urandom(20_000)
        receipt = await client.upload_material(scan, "image/jpeg")
        ref = {"material_code": "form", "name": "申请表", "source": "scan", "sha256": receipt.sha256}
        await client.submit_application({**app, "form": {"n": str(i)}, "materials": [ref], "terminal_receipt": f"BENCH-D-{i:06d}",
                                         "submitted_at": int(time.time())}, f"bench-rate-{i:06d}")
    direct = N_OUTBOX / (time.perf_counter() - direct_started)
    print(f"  the same {N_OUTBOX} sent directly by the client: {direct:.1f} applications/s")
    record("outbox_vs_direct", rate / direct)
    print(f"  receipt latency (durable enqueue): p50 {statistics.median(enqueue_s) * 1000:.1f} ms, p95 {_p(enqueue_s, 0.95) * 1000:.1f} ms")

    durations: list[float] = []
    for i in range(N_SUBMITS):
        scans = [b"\xff\xd8" + os.urandom(300 * 1024 - 2) for _ in range(3)]
        t0 = time.perf_counter()
        refs = []
        for index, scan in enumerate(scans):
            receipt = await client.upload_material(scan, "image/jpeg")
            refs.append({"material_code": f"m{index}", "name": f"材料{index + 1}", "source": "scan", "sha256": receipt.sha256})
        await client.submit_application({**app, "form": {"k": str(i)}, "materials": refs, "terminal_receipt": f"BENCH-{i:06d}", "submitted_at": int(time.time())},
                                        f"bench-direct-{i:06d}")
        durations.append(time.perf_counter() - t0)
    p95 = _p(durations, 0.95)
    record("submit_p95", p95 * 1000)
    print(f"submit with 3 × 300 KB materials on loopback: p50 {statistics.median(durations) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms over {N_SUBMITS} "
          f"(goal p95 ≤ {GOAL_P95_S * 1000:.0f} ms, ratio {GOAL_P95_S / p95:.2f}× headroom)")
    outbox.close()
    await client.aclose()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-platform-") as name:
        tmp = Path(name)
        proc, url = _start_server(tmp)
        try:
            asyncio.run(_bench(url, tmp))
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
