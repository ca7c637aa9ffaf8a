"""SIGKILL a submitting process at ≥ 100 random instants; every accepted application reaches the platform once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.terminal.outbox import DeliveryWorker, Outbox, load_or_create_seal_key
from kiosk.terminal.platform import PlatformClient, load_or_create_key
from sim.platform.server import EmbeddedPlatform
from tests.platform.conftest import FACE, ZHANGSAN

KILLS = int(os.environ.get("KIOSK_KILL_CYCLES", "120"))
CHILD = Path(__file__).with_name("kill_child.py")


def _read_line(proc: subprocess.Popen[str], accepted: dict[str, str]) -> str:
    """Next non-``A`` line from the zygote; ``A`` lines are recorded as accepted applications."""
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("kill-test zygote exited")
        if line.startswith("A "):
            _, marker, entry_id = line.split()
            accepted[marker] = entry_id
            continue
        return line


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.slow
async def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("KIOSK_KILL_SEED", str(time.time_ns()))))
    key = load_or_create_key(tmp_path / "terminal.key")
    with EmbeddedPlatform(tmp_path / "platform.db") as platform:
        client = PlatformClient(platform.url, "CQ-500112-KILL", key, enrollment_code="DEMO-ENROLL", district_code="500112", retries=3, backoff_base_s=0.01)
        await client.register()
        token = (await client.verify_id_card(ZHANGSAN, FACE)).person_token
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        proc = subprocess.Popen([sys.executable, str(CHILD), platform.url, str(tmp_path), token], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, env=env, bufsize=1)
        accepted: dict[str, str] = {}
        kills, pid = 0, 0
        try:
            assert proc.stdin is not None
            for cycle in range(KILLS):
                proc.stdin.write(f"go {cycle}\n")
                proc.stdin.flush()
                line = _read_line(proc, accepted)
                assert line.startswith("PID "), line
                pid = int(line.split()[1])
                time.sleep(rng.uniform(0.0, 0.3))
                os.kill(pid, signal.SIGKILL)
                kills += 1
                while not _pid_gone(pid):
                    time.sleep(0.001)
            proc.stdin.write("stop\n")
            proc.stdin.flush()
            assert proc.stdout is not None
            for line in proc.stdout:  # the last A lines written before the final kill
                if line.startswith("A "):
                    _, marker, entry_id = line.split()
                    accepted[marker] = entry_id
            proc.wait(timeout=10)
        finally:
            if pid and not _pid_gone(pid):  # a failure between fork and kill must not leave a submitter running
                os.kill(pid, signal.SIGKILL)
            if proc.poll() is None:
                proc.kill()
                proc.wait()

        outbox = Outbox(tmp_path / "outbox.db", load_or_create_seal_key(tmp_path / "outbox.key"), "CQ-500112-KILL")
        worker = DeliveryWorker(outbox, client, backoff_base_s=0.01, backoff_max_s=0.05)
        drained = await worker.drain(timeout_s=60)
        assert drained, (outbox.stats(), outbox._conn.execute("SELECT last_error, COUNT(*) FROM outbox WHERE state = 'pending' GROUP BY 1 LIMIT 5").fetchall())
        stats = outbox.stats()
        entries = outbox._conn.execute("SELECT id, state, case_id FROM outbox").fetchall()
        outbox.close()
        await client.aclose()

        cases = platform.state.db.conn.execute("SELECT idempotency_key, body FROM applications WHERE terminal_id = 'CQ-500112-KILL'").fetchall()
        replays = platform.state.db.conn.execute("SELECT COUNT(*) FROM submit_log WHERE replayed = 1").fetchone()[0]

    markers = [json.loads(body)["form"]["marker"] for _, body in cases]
    keys = [k for k, _ in cases]
    duplicated = len(markers) - len(set(markers))
    lost = sorted(set(accepted) - set(markers))
    print(f"\nkill test: {kills} kills, {len(accepted)} acknowledged receipts, {len(entries)} outbox entries, "
          f"{len(cases)} cases on the platform, {replays} deduplicated resubmissions, lost={len(lost)}, duplicated={duplicated}")
    assert kills >= 100
    assert len(accepted) >= kills  # the children did real work before dying
    assert stats.depth == 0 and stats.rejected == 0
    assert duplicated == 0 and len(set(keys)) == len(keys)
    assert lost == []
    assert {accepted[m] for m in accepted} <= set(keys)  # each acknowledged receipt's idempotency key is on the platform
    assert len(cases) == len(entries)  # nothing on the platform that the outbox did not hold, nothing held but not delivered
    assert all(state == "delivered" and case_id for _, state, case_id in entries)
