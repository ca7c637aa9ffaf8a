"""Prometheus metrics at /metrics: the fleet's state read from PostgreSQL at scrape time, plus the heartbeat latency
histogram each worker observes (shared across workers through prometheus_client's multiprocess directory).

Fleet gauges come from the database, not from worker memory, so every worker (and every host) reports the same
fleet and a scrape through nginx may land on any of them. Per-terminal series exist for what an alert must name a
terminal for (last heartbeat, a required device down, paper out, dead letters, oldest outbox entry, audit head);
the rest are fleet totals for the dashboard. Series for healthy values are left out (no 0-valued per-terminal
device series), which keeps a 10,000-terminal scrape to about one series per terminal.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from fleet_server.state import FleetState

HEARTBEAT_SECONDS = Histogram("fleet_heartbeat_seconds", "Time to handle one heartbeat in the fleet server (verify, store, answer)",
                              buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))
STATES = ("starting", "in_service", "out_of_service", "maintenance")


class _Families(Collector):
    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


def _gauge(name: str, doc: str, labels: list[str], rows: Iterable[tuple[list[str], float]]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels)
    for values, value in rows:
        family.add_metric(values, value)
    return family


async def fleet_families(state: FleetState) -> list[Metric]:
    now = state.clock()
    silent = now - state.config.fleet.silent_after_s
    required = list(state.config.fleet.required_devices)
    async with state.pool.acquire() as conn:
        per_terminal = await conn.fetch(
            "SELECT t.terminal_id, t.district_code, s.last_seen, s.state, s.config_version, s.outbox_depth, s.outbox_oldest_s, s.dead_letters "
            "FROM terminals t LEFT JOIN terminal_status s USING (terminal_id)")
        devices = await conn.fetch("SELECT terminal_id, device, state, paper FROM device_states "
                                   "WHERE state <> 'online' OR paper IN ('out', 'near_end')")
        audit = await conn.fetch("SELECT terminal_id FROM audit_heads WHERE mismatch_at IS NOT NULL")
        pending = await conn.fetchval("SELECT count(*) FROM commands WHERE acked_at IS NULL AND expires_at > $1", now)
    by_state = dict.fromkeys((*STATES, "silent", "never_seen"), 0)
    versions: dict[str, int] = {}
    for r in per_terminal:
        key = "never_seen" if r["last_seen"] is None else "silent" if r["last_seen"] < silent else r["state"]
        by_state[key] = by_state.get(key, 0) + 1
        if r["config_version"] is not None:
            versions[r["config_version"]] = versions.get(r["config_version"], 0) + 1
    seen = [r for r in per_terminal if r["last_seen"] is not None]
    down = [d for d in devices if d["state"] != "online"]
    down_by_class: dict[str, int] = {}
    for d in down:
        down_by_class[d["device"]] = down_by_class.get(d["device"], 0) + 1
    paper = {"out": 0, "near_end": 0}
    for d in devices:
        if d["paper"] in paper:
            paper[d["paper"]] += 1
    return [
        _gauge("fleet_terminals", "Enrolled terminals by state (silent: no heartbeat within fleet.silent_after_s)", ["state"],
               (([k], float(v)) for k, v in by_state.items())),
        _gauge("fleet_terminal_last_heartbeat_timestamp_seconds", "Unix time of the terminal's last heartbeat", ["terminal_id", "district"],
               (([r["terminal_id"], r["district_code"]], r["last_seen"]) for r in seen)),
        _gauge("fleet_devices_down", "Terminals whose device of this class is not online", ["device"],
               (([k], v) for k, v in sorted(down_by_class.items()))),
        _gauge("fleet_terminal_device_down", "1 for each device of a terminal that is not online", ["terminal_id", "device", "state", "required"],
               (([d["terminal_id"], d["device"], d["state"], str(d["device"] in required).lower()], 1) for d in down)),
        _gauge("fleet_paper", "Printers by paper level", ["level"], (([k], v) for k, v in paper.items())),
        _gauge("fleet_terminal_paper", "1 for each printer of a terminal whose paper is out or near its end", ["terminal_id", "device", "level"],
               (([d["terminal_id"], d["device"], d["paper"]], 1) for d in devices if d["paper"] in paper)),
        _gauge("fleet_outbox_depth", "Applications waiting in terminals' outboxes, fleet total", [], [([], sum(r["outbox_depth"] for r in seen))]),
        _gauge("fleet_outbox_oldest_age_seconds", "Age of the oldest outbox entry in the fleet", [],
               [([], max((r["outbox_oldest_s"] for r in seen), default=0.0))]),
        _gauge("fleet_terminal_outbox_oldest_age_seconds", "Age of a terminal's oldest outbox entry (terminals with a non-empty outbox)",
               ["terminal_id"], (([r["terminal_id"]], r["outbox_oldest_s"]) for r in seen if r["outbox_depth"] > 0)),
        _gauge("fleet_dead_letters", "Applications the platform refused for good (dead letters), fleet total", [],
               [([], sum(r["dead_letters"] for r in seen))]),
        _gauge("fleet_terminal_dead_letters", "A terminal's dead letters (terminals with any)", ["terminal_id"],
               (([r["terminal_id"]], r["dead_letters"]) for r in seen if r["dead_letters"] > 0)),
        _gauge("fleet_config_version_terminals", "Terminals running each item-configuration version", ["version"],
               (([k], v) for k, v in sorted(versions.items()))),
        _gauge("fleet_terminal_audit_head_mismatch", "1 when a terminal's audit chain head went back or forked", ["terminal_id"],
               (([r["terminal_id"]], 1) for r in audit)),
        _gauge("fleet_commands_pending", "Queued commands not yet acknowledged by their terminal", [], [([], float(pending))]),
    ]


def process_registry(multiproc_dir: str | None) -> Any:
    """The registry of the workers' own samples: the shared multiprocess directory, or this process alone."""
    if multiproc_dir and os.path.isdir(multiproc_dir):
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=multiproc_dir)
        return registry
    return REGISTRY


async def render(state: FleetState, multiproc_dir: str | None) -> bytes:
    registry = CollectorRegistry()
    registry.register(_Families(await fleet_families(state)))
    return generate_latest(registry) + generate_latest(process_registry(multiproc_dir))
