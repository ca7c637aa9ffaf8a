"""One life of a terminal between two power cuts: the real store, audit, outbox, session and bundle code on the mount.

``python -m sim.powercut.terminal SPEC_JSON``. Built in the order the composition root builds them
(kiosk.db and its audit trail, the config bundles mirrored in it, the outbox and its delivery worker),
then crash recovery as the app does it (orphan sessions swept), then a report line, then work until
killed. Every line is written with ``os.write`` only once the product call it reports has returned —
what a citizen or the fleet was told:

- ``UP {json}`` after start-up: audit verification, running config version and floor, quarantines, key state
- ``R <marker> <receipt> <entry id>`` an application accepted (the citizen holds the printed receipt)
- ``A <seq>`` an audit record appended; ``W <session id>`` a session wiped; ``B <version>`` a bundle applied
- ``D <json>`` (mode ``drain``) every pending application delivered, with the outbox's counts
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.admin.bundles import build_bundle, sign_bundle
from kiosk.fleet.configs import ConfigBundles
from kiosk.flows.session import Session, sweep_orphans
from kiosk.privacy import SensitiveValues
from kiosk.security.keydir import key_path
from kiosk.store.audit import AuditTrail
from kiosk.store.database import Store
from kiosk.terminal.outbox import DeliveryWorker, Material, Outbox
from kiosk.terminal.platform import PlatformClient, load_or_create_key

TERMINAL_ID = "CQ-500112-PCUT"
ZHANGSAN = {"name": "张三", "id_number": "500112198703152613"}
FACE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"
#: Bytes every session's scan carries: found under sessions/ after a wipe was acknowledged, it is personal data left behind.
PII_MARK = b"PII-SCAN-500112198703152613"


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def pii_left(sessions: Path, wiped: set[str]) -> list[str]:
    """Session dirs acknowledged wiped whose files still hold the scan's bytes after the cut."""
    found = []
    for name in sorted(wiped):
        for path in (sessions / name).rglob("*") if (sessions / name).is_dir() else ():
            if path.is_file() and PII_MARK in path.read_bytes():
                found.append(f"{name}/{path.name}")
    return found


class Life:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.data = Path(spec["data_dir"])
        self.rng = random.Random(spec["seed"])
        self.store = Store(self.data / "kiosk.db")
        self.audit = AuditTrail(self.store)
        self.configs = ConfigBundles(self.data / "config-bundles", Path(spec["builtin_items"]), spec["bundle_public_key"], audit=self.audit,
                                     store=self.store)
        self.outbox = Outbox(self.data / "outbox.db", key_path(self.data, "outbox.key"), TERMINAL_ID)
        self.sessions = self.data / "sessions"

    def report(self) -> dict[str, Any]:
        left = pii_left(self.sessions, set(self.spec.get("wiped", [])))
        swept = sweep_orphans(self.sessions, self.audit)  # crash recovery, as the app starts
        verified = self.audit.verify()
        return {"audit_ok": verified.ok, "audit_checked": verified.checked, "audit_problem": verified.problem, "active": self.configs.state.active,
                "floor": self.configs.floor(), "config_problem": self.configs.problem,
                "store_quarantined": str(self.store.quarantined[1]) if self.store.quarantined else "",
                "outbox_quarantined": str(self.outbox.quarantined[1]) if self.outbox.quarantined else "",
                "outbox_unavailable": self.outbox.unavailable, "pii_left": left, "swept": len(swept),
                "sessions_left": sorted(p.name for p in self.sessions.iterdir()) if self.sessions.exists() else []}

    # ----- the four kinds of work ----------------------------------------------------------------------
    def submit(self, token: str, index: int) -> None:
        marker = f"{self.spec['life']}-{index}"
        material = Material("form", "申请表", "scan", "image/jpeg", b"\xff\xd8" + marker.encode() * 40)
        entry = self.outbox.enqueue({"item_code": "CQ-RS-0004", "person_token": token, "mode": "online", "receiving_district": "500112",
                                     "form": {"marker": marker}}, [material])
        say(f"R {marker} {entry.receipt} {entry.id}")

    def wipe(self) -> None:
        session = Session(self.sessions, self.audit, SensitiveValues())
        for n in range(self.rng.randint(1, 3)):
            session.temp_file(f"scan-{n}.jpg").write_bytes(PII_MARK * self.rng.randint(50, 400))
        session.data["idcard"] = bytearray(PII_MARK)
        session.wipe("finished")
        say(f"W {session.id}")

    def append(self) -> None:
        record = self.audit.append("terminal", "powercut.tick", life=self.spec["life"], n=self.rng.randint(0, 1 << 30))
        say(f"A {record.seq}")

    def switch_bundle(self) -> None:
        version = max(self.configs.state.active, self.configs.floor()) + 1
        signed = sign_bundle(build_bundle(Path(self.spec["catalog"]), version, validate=False), load_or_create_key(self.spec["bundle_key"]))
        self.configs.accept(signed, source="powercut")
        if self.configs.apply_staged_if_idle(session_active=False) == "applied":
            say(f"B {version}")

    async def run(self) -> None:
        client = PlatformClient(self.spec["url"], TERMINAL_ID, load_or_create_key(key_path(self.data, "terminal.key")),
                                enrollment_code=self.spec["enrollment_code"], district_code="500112", retries=0, timeout_s=5)
        worker = DeliveryWorker(self.outbox, client, backoff_base_s=0.01, backoff_max_s=0.05, idle_poll_s=0.05, audit=self.audit)
        say("UP " + json.dumps(self.report(), ensure_ascii=False))
        if self.spec["mode"] == "drain":
            drained = await worker.drain(timeout_s=120)
            say("D " + json.dumps({"drained": drained, **self.outbox.stats().to_dict(), "delivered": self.outbox.stats().delivered}))
            await client.aclose()
            return
        token = (await client.verify_id_card(ZHANGSAN, FACE)).person_token
        delivery = asyncio.create_task(worker.run())
        kinds = self.spec["kinds"]
        for index in range(100_000):
            kind = self.rng.choice(kinds)
            if kind == "submit":
                self.submit(token, index)
                worker.kick()
            elif kind == "wipe":
                self.wipe()
            elif kind == "bundle":
                self.switch_bundle()
            else:
                self.append()
            await asyncio.sleep(self.rng.uniform(0, 0.01))
        delivery.cancel()


def main() -> None:
    spec = json.loads(sys.argv[1])
    started = time.monotonic()
    life = Life(spec)
    asyncio.run(life.run())
    if spec["mode"] == "drain":
        say(f"END {time.monotonic() - started:.2f}")


if __name__ == "__main__":
    main()
