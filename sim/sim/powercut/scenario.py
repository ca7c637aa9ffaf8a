"""Power cuts at random instants under a working terminal, and what must hold after each one.

The platform emulator runs in this process on the host's disk (it is the far side, not the terminal).
Each life of the terminal (``sim.powercut.terminal``) runs in a child process whose data_dir is on the
lazy FUSE mount; after a random delay the power is cut (the durable image freezes), the child is
SIGKILLed, the disk is rebuilt from what was fsynced and the next life starts on it. Checked:

- after every cut: the audit chain verifies and holds every record acknowledged before the cut; the
  running config is never below a version acknowledged as applied, nor below the one the last life
  ran; no store or outbox was quarantined; the outbox key is there; no wiped session's scan is back;
- at the end (a last life that only delivers): every receipt handed out was delivered exactly once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.content import items_dir
from kiosk.security.keydir import key_path
from kiosk.terminal.platform import PlatformClient, load_or_create_key
from sim.platform.server import EmbeddedPlatform
from sim.powercut.mount import PowerCutMount
from sim.powercut.terminal import FACE, TERMINAL_ID, ZHANGSAN

KINDS = ("submit", "wipe", "bundle", "audit")
ENROLLMENT = "DEMO-ENROLL"


@dataclass
class Outcome:
    cuts: int = 0
    receipts: dict[str, str] = field(default_factory=dict)  # marker → receipt the citizen holds
    audit_acked: int = 0
    wiped: list[str] = field(default_factory=list)
    applied: int = 0  # highest bundle version acknowledged as applied
    cases: int = 0
    duplicated: int = 0
    lost: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)  # the kind of work each cut interrupted (the last line before it)
    seconds: float = 0.0
    restore_s: list[float] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.cuts} cuts in {self.seconds:.0f} s (cut during {self.by_kind}), {len(self.receipts)} receipts, {self.cases} cases on the "
                f"platform, lost={len(self.lost)}, duplicated={self.duplicated}, audit records acknowledged={self.audit_acked}, "
                f"sessions wiped={len(self.wiped)}, bundle version applied={self.applied}, violations={len(self.violations)}")


def small_catalog(target: Path) -> Path:
    """One item and the templates, so a bundle switch validates fast."""
    import shutil

    (target / "templates").mkdir(parents=True, exist_ok=True)
    shutil.copy(items_dir() / "household_certificate.json", target / "household_certificate.json")
    for template in (items_dir() / "templates").glob("*.json"):
        shutil.copy(template, target / "templates" / template.name)
    return target


class Scenario:
    def __init__(self, work_dir: Path, *, seed: int, kinds: tuple[str, ...] = KINDS, life_s: tuple[float, float] = (0.3, 2.5)) -> None:
        self.work_dir = work_dir
        self.rng = random.Random(seed)
        self.seed, self.kinds, self.life_s = seed, kinds, life_s
        self.mount = PowerCutMount(work_dir / "fs")
        self.outcome = Outcome()
        self.last_active = 0
        self.lives = 0

    def _spec(self, url: str, mode: str) -> dict[str, Any]:
        self.lives += 1
        return {"data_dir": str(self.mount.mnt / "data"), "url": url, "enrollment_code": ENROLLMENT, "mode": mode, "life": self.lives,
                "seed": self.rng.randrange(1 << 30), "kinds": list(self.kinds), "builtin_items": str(items_dir()),
                "catalog": str(self.work_dir / "catalog"), "bundle_key": str(self.work_dir / "bundle.key"),
                "bundle_public_key": load_or_create_key(self.work_dir / "bundle.key").public_b64(), "wiped": self.outcome.wiped}

    def _spawn(self, spec: dict[str, Any]) -> subprocess.Popen[str]:
        with open(self.work_dir / "terminal.log", "a") as stderr:
            return subprocess.Popen([sys.executable, "-m", "sim.powercut.terminal", json.dumps(spec)], stdout=subprocess.PIPE, stderr=stderr,
                                    text=True, bufsize=1, start_new_session=True)

    def _read(self, proc: subprocess.Popen[str], until: float | None, last: list[str], stop_on_up: bool = False) -> str:
        """Record acknowledgements until the deadline (None: until the child exits) or, with ``stop_on_up``, its UP line;
        returns the UP line's JSON."""
        assert proc.stdout is not None
        up = ""
        os.set_blocking(proc.stdout.fileno(), until is None)
        while True:
            line = proc.stdout.readline()
            if not line:
                if until is None or proc.poll() is not None or time.monotonic() >= until:
                    return up
                time.sleep(0.002)
                continue
            tag, _, rest = line.rstrip("\n").partition(" ")
            last[:] = [tag]
            if tag == "UP":
                up = rest
                self._check_up(json.loads(rest))
                if stop_on_up:
                    return up
            elif tag == "R":
                marker, receipt, _entry = rest.split()
                self.outcome.receipts[marker] = receipt
            elif tag == "A":
                self.outcome.audit_acked = max(self.outcome.audit_acked, int(rest))
            elif tag == "W":
                self.outcome.wiped.append(rest)
            elif tag == "B":
                self.outcome.applied = max(self.outcome.applied, int(rest))
            elif tag == "D":
                state = json.loads(rest)
                if not state["drained"]:
                    self.outcome.violations.append(f"the last life could not deliver everything: {state}")

    def _check_up(self, up: dict[str, Any]) -> None:
        bad = self.outcome.violations
        where = f"after cut {self.outcome.cuts}"
        if not up["audit_ok"]:
            bad.append(f"{where}: audit chain broken: {up['audit_problem']}")
        if up["audit_checked"] < self.outcome.audit_acked:
            bad.append(f"{where}: audit has {up['audit_checked']} records, {self.outcome.audit_acked} were acknowledged")
        if up["active"] < max(self.outcome.applied, self.last_active) or up["floor"] < self.outcome.applied:
            bad.append(f"{where}: config downgrade: running {up['active']} (floor {up['floor']}), applied {self.outcome.applied}, "
                       f"last ran {self.last_active} ({up['config_problem']})")
        for key in ("store_quarantined", "outbox_quarantined", "outbox_unavailable"):
            if up[key]:
                bad.append(f"{where}: {key}: {up[key]}")
        if up["pii_left"]:
            bad.append(f"{where}: a wiped session's scan is back on disk: {up['pii_left'][:3]}")
        self.last_active = max(self.last_active, up["active"])

    async def _prepare(self, platform: EmbeddedPlatform) -> PlatformClient:
        """Install: the terminal's key on the data disk, registered; a clean shutdown makes the install durable."""
        small_catalog(self.work_dir / "catalog")
        data = self.mount.mnt / "data"
        data.mkdir()
        client = PlatformClient(platform.url, TERMINAL_ID, load_or_create_key(key_path(data, "terminal.key")), enrollment_code=ENROLLMENT,
                                district_code="500112", retries=2, backoff_base_s=0.01)
        await client.register()
        await client.verify_id_card(ZHANGSAN, FACE)
        self.mount.stop()
        self.mount.start()
        return client

    async def run(self, cuts: int) -> Outcome:
        started = time.monotonic()
        with EmbeddedPlatform(self.work_dir / "platform.db", bundles_dir=self.work_dir) as platform, self.mount:
            client = await self._prepare(platform)
            for _ in range(cuts):
                proc = self._spawn(self._spec(platform.url, "work"))
                last: list[str] = []
                try:
                    up = self._read(proc, time.monotonic() + 90, last, stop_on_up=True)  # recovery is checked before the next cut
                    if not up:
                        raise RuntimeError(f"terminal life {self.lives} died at start: {(self.work_dir / 'terminal.log').read_text()[-3000:]}")
                    self._read(proc, time.monotonic() + self.rng.uniform(*self.life_s), last)
                    self.mount.cut()
                finally:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                self._read(proc, time.monotonic(), last)  # lines written before the kill
                self.outcome.cuts += 1
                self.outcome.by_kind[last[0] if last else "-"] = self.outcome.by_kind.get(last[0] if last else "-", 0) + 1
                t = time.monotonic()
                self.mount.restart()
                self.outcome.restore_s.append(time.monotonic() - t)
            proc = self._spawn(self._spec(platform.url, "drain"))
            self._read(proc, None, [])
            proc.wait()
            await client.aclose()
            rows = platform.state.db.conn.execute("SELECT body FROM applications WHERE terminal_id = ?", (TERMINAL_ID,)).fetchall()
        markers = [json.loads(body)["form"]["marker"] for (body,) in rows]
        self.outcome.cases = len(markers)
        self.outcome.duplicated = len(markers) - len(set(markers))
        self.outcome.lost = sorted(set(self.outcome.receipts) - set(markers))
        if self.outcome.duplicated or self.outcome.lost:
            self.outcome.violations.append(f"applications lost {self.outcome.lost[:5]} / duplicated {self.outcome.duplicated}")
        self.outcome.seconds = time.monotonic() - started
        return self.outcome
