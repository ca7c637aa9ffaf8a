"""Fleet reconnect after a platform outage: how spread out are 1,000 terminals when the platform returns?

Two measurements, both printing the spread (goal: ≥ 30 s) and the peak reconnects per second:
1. virtual time (kiosk.fleet.backoff.simulate_reconnect): 1,000 terminals, 10 min outage;
2. compressed clock against the real emulator: N FleetAgents (real client, signing, heartbeat loop)
   share one httpx transport that fails every request while the "network" is down; all backoff
   parameters are divided by COMPRESSION and the measured times multiplied back.

    .venv/bin/python bench/bench_fleet.py [terminals=1000] [compression=4] [outage_s=300]

At ÷10 one process (1,000 clients + the emulator thread, one GIL) saturates and stretches the spread;
÷4 measures the policy, not the CPU.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.content import items_dir
from kiosk.fleet.agent import FleetAgent
from kiosk.fleet.backoff import Backoff, reconnect_stats, simulate_reconnect
from kiosk.fleet.configs import ConfigBundles
from kiosk.terminal.platform import PlatformClient
from sim.platform.server import EmbeddedPlatform

from report import goal, record  # noqa: E402

GOAL_SPREAD_S = goal("fleet_spread").value
ITEMS = items_dir()


class OutageTransport(httpx.AsyncBaseTransport):
    """The terminals' network: real HTTP to the emulator, or ConnectError for every request while down."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=64, max_keepalive_connections=64))
        self.down = False
        self.recovered_at: float | None = None
        self.first_ok: dict[str, float] = {}
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.down:
            raise httpx.ConnectError("platform unreachable (simulated outage)", request=request)
        response = await self.inner.handle_async_request(request)
        if self.recovered_at is not None and request.url.path.endswith("/heartbeat") and response.status_code == 200:
            self.first_ok.setdefault(request.headers["X-Terminal-Id"], time.monotonic() - self.recovered_at)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def compressed(terminals: int, compression: float, outage_s: float) -> tuple[dict[str, float | int], int]:
    policy = Backoff()
    scaled = Backoff(policy.period_s / compression, policy.jitter, policy.base_s / compression, policy.cap_s / compression)
    transport = OutageTransport()
    with tempfile.TemporaryDirectory() as tmp, EmbeddedPlatform(Path(tmp) / "p.db") as platform:
        async with httpx.AsyncClient(transport=transport, timeout=30) as http:
            agents = []
            for i in range(terminals):
                client = PlatformClient(platform.url, f"CQ-500112-B{i:04d}", Ed25519PrivateKey.generate(), enrollment_code="DEMO-ENROLL", district_code="500112", http=http, retries=0)
                configs = ConfigBundles(Path(tmp) / f"t{i}", ITEMS, "")
                agents.append(FleetAgent(client, configs, policy=Backoff(scaled.period_s, scaled.jitter, scaled.base_s, scaled.cap_s),
                                         rng=random.Random(i)))
            gate = asyncio.Semaphore(32)

            async def enrol(agent: FleetAgent) -> None:
                async with gate:
                    await agent.client.register()

            await asyncio.gather(*(enrol(a) for a in agents))  # enrolment is a one-off, not part of the measurement
            stop = asyncio.Event()
            tasks = [asyncio.create_task(a.run(stop)) for a in agents]
            warm_until = time.monotonic() + 60
            while any(a.beats == 0 for a in agents) and time.monotonic() < warm_until:  # steady state: everyone beating
                await asyncio.sleep(0.1)
            await asyncio.sleep(scaled.period_s)
            registered = sum(1 for a in agents if a.beats > 0)
            transport.down = True
            await asyncio.sleep(outage_s / compression)
            transport.down = False
            transport.recovered_at = time.monotonic()
            deadline = time.monotonic() + 3 * scaled.cap_s
            while len(transport.first_ok) < terminals and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
    stats = reconnect_stats([t * compression for t in transport.first_ok.values()])
    return stats.to_dict(), registered


def main() -> None:
    import logging

    logging.getLogger("kiosk").setLevel(logging.ERROR)  # 1,000 "platform unreachable" warnings are the point, not news
    terminals = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    compression = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0
    outage_s = float(sys.argv[3]) if len(sys.argv) > 3 else 300.0
    virtual = simulate_reconnect(1000, 600).to_dict()
    print(f"virtual time, 1000 terminals, 600 s outage: {virtual}")
    print(f"  spread {virtual['spread_s']} s (p05–p95 {virtual['p95_s'] - virtual['p05_s']:.1f} s) vs goal ≥ {GOAL_SPREAD_S:.0f} s: "
          f"ratio {virtual['spread_s'] / GOAL_SPREAD_S:.2f}; peak {virtual['peak_per_s']}/s (vs {1000} at once)")
    record("fleet_spread", float(virtual["spread_s"]))
    started = time.monotonic()
    real, registered = asyncio.run(compressed(terminals, compression, outage_s))
    print(f"emulator, {terminals} terminals ({registered} beating before the outage), clock ÷{compression:g}, {outage_s:g} s outage "
          f"({time.monotonic() - started:.0f} s wall): {real}")
    print(f"  reconnected {real['terminals']}/{terminals}; spread {real['spread_s']} s vs goal ≥ {GOAL_SPREAD_S:.0f} s: "
          f"ratio {float(real['spread_s']) / GOAL_SPREAD_S:.2f}; peak {real['peak_per_s']}/s")


if __name__ == "__main__":
    main()
