"""社保卡 read time through a real pcscd + vpcd and our virtual card (budget: our own, ≤ 100 ms a read).

No goal is set by the issue for the chip card; 100 ms is our budget so that the card read never
shows up next to the citizen's own movement (placing a card takes seconds). Figures:
  1. one APDU round trip (SELECT EF) through pyscard → pcscd → vpcd → emulator (TCP_QUICKACK on);
  2. a whole ``read_card()`` (SELECT by name + GET RESPONSE, 7 EF05 records, 3 EF06 records,
     6Cxx re-sends) through the command runner;
  3. the same with every answer chained in 5-byte GET RESPONSE pieces.
Starts a private pcscd if none runs (and stops it). Run: .venv/bin/python bench/bench_chipcard.py [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.chipcard import protocol as P  # noqa: E402
from drivers.chipcard.service import ChipCardService  # noqa: E402
from drivers.chipcard.transport import CardSession  # noqa: E402
from kiosk.terminal.events import EventBus  # noqa: E402
from sim.devices.chipcard.emulator import VirtualCard  # noqa: E402
from sim.devices.chipcard.pcscd import PcscDaemon, reader_name  # noqa: E402
from report import goal, record  # noqa: E402  (bench/ is the script's own directory on sys.path)

BUDGET_MS = goal("chipcard_read").value
SLOT = 1  # slot 0 is where a running demo's sim:chipcard card sits
READER = reader_name(SLOT)


def summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"median {statistics.median(values):7.3f} ms  p95 {p95:7.3f} ms  max {values[-1]:7.3f} ms"


def wait_present(timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with CardSession(READER):
                return
        except Exception:  # noqa: BLE001 — not there yet
            time.sleep(0.05)
    raise SystemExit("the virtual card never appeared on the reader")


async def full_reads(rounds: int) -> list[float]:
    service = ChipCardService("chipcard", EventBus(), reader=READER, monitor=False)
    await service.open()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = await service.read_card()
        times.append((time.perf_counter() - start) * 1000)
        assert result.ok, result.description
    await service.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    daemon = PcscDaemon()
    started = daemon.start()
    card = VirtualCard(port=daemon.vpcd_port + SLOT)
    try:
        card.insert("zhangsan")
        wait_present()
        with CardSession(READER) as session:
            P.exchange(session.transmit, P.select_by_name(P.SSSE_AID))
            rtts = []
            for _ in range(args.rounds * 5):
                start = time.perf_counter()
                session.transmit(P.select_ef(P.EF_PERSONAL))
                rtts.append((time.perf_counter() - start) * 1000)
        print(f"APDU round trip        ({len(rtts)}x): {summary(rtts)}")
        reads = asyncio.run(full_reads(args.rounds))
        print(f"read_card()            ({args.rounds}x): {summary(reads)}  ratio to budget {statistics.median(reads) / BUDGET_MS:.3f}")
        record("chipcard_read", statistics.median(reads))
        card.chunk = 5
        card.insert("zhangsan")
        wait_present()
        chained = asyncio.run(full_reads(args.rounds))
        print(f"read_card(), 5-B chunks({args.rounds}x): {summary(chained)}  ratio to budget {statistics.median(chained) / BUDGET_MS:.3f}")
    finally:
        card.close()
        if started:
            daemon.cleanup()


if __name__ == "__main__":
    main()
