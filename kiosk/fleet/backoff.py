"""When to send the next heartbeat: a steady jittered period, and full-jitter exponential backoff while away.

Why full jitter (delay uniform in [0, min(cap, base·2^n)]): after a platform outage every terminal
has failed many times, so their windows have all grown to ``cap``; each next attempt lands anywhere
in that window, and the fleet's reconnects spread over ``cap`` seconds instead of arriving at once.
``simulate_reconnect`` replays that for N terminals in virtual time (tests, bench).
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass


@dataclass
class Backoff:
    period_s: float = 30.0  # steady heartbeat period
    jitter: float = 0.2  # ± share of the period, so a fleet started together drifts apart
    base_s: float = 2.0
    cap_s: float = 120.0
    failures: int = 0

    def next_delay(self, ok: bool, rng: random.Random | None = None) -> float:
        """Record one attempt's outcome and return how long to wait before the next one."""
        r = rng or random
        if ok:
            self.failures = 0
            return self.period_s * (1 + r.uniform(-self.jitter, self.jitter))
        self.failures += 1
        window = min(self.cap_s, self.base_s * 2 ** min(self.failures - 1, 30))
        return r.uniform(0, window)

    @property
    def away(self) -> bool:
        return self.failures > 0


@dataclass(frozen=True)
class ReconnectStats:
    terminals: int
    first_s: float  # seconds after the platform came back
    last_s: float
    p05_s: float
    p95_s: float
    peak_per_s: int  # most reconnects in any one-second bin

    @property
    def spread_s(self) -> float:
        return self.last_s - self.first_s

    def to_dict(self) -> dict[str, float | int]:
        return {"terminals": self.terminals, "first_s": round(self.first_s, 2), "last_s": round(self.last_s, 2),
                "spread_s": round(self.spread_s, 2), "p05_s": round(self.p05_s, 2), "p95_s": round(self.p95_s, 2), "peak_per_s": self.peak_per_s}


def reconnect_stats(times: list[float]) -> ReconnectStats:
    ordered = sorted(times)
    bins: dict[int, int] = {}
    for t in ordered:
        bins[int(t)] = bins.get(int(t), 0) + 1
    n = len(ordered)
    return ReconnectStats(n, ordered[0], ordered[-1], ordered[int(0.05 * (n - 1))], ordered[int(0.95 * (n - 1))], max(bins.values()))


def simulate_reconnect(terminals: int = 1000, outage_s: float = 600.0, policy: Backoff | None = None, seed: int = 1) -> ReconnectStats:
    """Virtual-time fleet: heartbeats in steady state, the platform down for ``outage_s``, then back.

    Returns when each terminal's first heartbeat after the outage got through (seconds after recovery).
    """
    template = policy or Backoff()
    rng = random.Random(seed)
    agents = [Backoff(template.period_s, template.jitter, template.base_s, template.cap_s) for _ in range(terminals)]
    start_outage = 3 * template.period_s
    end_outage = start_outage + outage_s
    queue = [(rng.uniform(0, template.period_s), i) for i in range(terminals)]
    heapq.heapify(queue)
    reconnected: dict[int, float] = {}
    while queue and len(reconnected) < terminals:
        now, i = heapq.heappop(queue)
        ok = not (start_outage <= now < end_outage)
        if ok and now >= end_outage and i not in reconnected:
            reconnected[i] = now - end_outage
            continue
        heapq.heappush(queue, (now + agents[i].next_delay(ok, rng), i))
    return reconnect_stats(list(reconnected.values()))
