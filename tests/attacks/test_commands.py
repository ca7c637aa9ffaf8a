"""Remote commands an attacker could send: unsigned, expired, for another terminal, replayed, signed with another key.

Each is refused by the terminal (never run: the hall message and mode stay as they were), acknowledged as a failed
result so the platform drops it, and audited as ``command.refused``; a genuine command right after still runs.
"""

from __future__ import annotations

import json
from typing import Any

from kiosk.fleet.agent import FleetAgent
from kiosk.platform.signing import sign_command
from kiosk.security.suite import SM2_SM3, generate
from sim.platform.server import EmbeddedPlatform
from sim.platform.terminals import queue_command
from tests.attacks.conftest import TID


def inject(platform: EmbeddedPlatform, command: dict[str, Any]) -> str:
    """Put a hand-made command on the platform's queue, as a compromised or fake platform would."""
    platform.state.db.conn.execute("INSERT INTO commands (command_id, terminal_id, type, args, issued_at, envelope) VALUES (?, ?, ?, ?, ?, ?)",
                                   (command["command_id"], TID, command["type"], json.dumps(command["args"]), command["issued_at"],
                                    json.dumps(command, ensure_ascii=False)))
    return str(command["command_id"])


def genuine(platform: EmbeddedPlatform, **changes: Any) -> dict[str, Any]:
    now = int(platform.state.clock())
    base = {"command_id": "cmd_forged" + str(len(changes)) + "x" * 4, "type": "hall_message", "args": {"text": "请扫码缴费 http://evil"},
            "issued_at": now, "terminal_id": TID, "counter": 1000, "expires_at": now + 3600}
    return {**base, **changes}


def refused(agent: FleetAgent) -> list[str]:
    return [str(r.detail.get("reason", "")) for r in agent.executor.audit.records() if r.action == "command.refused"]  # type: ignore[union-attr]


async def check_refused(agent: FleetAgent, platform: EmbeddedPlatform, command_id: str, why: str) -> None:
    before = agent.mode.snapshot.mode
    assert await agent.beat()
    assert agent.mode.snapshot.hall_message == "" and agent.mode.snapshot.mode == before
    assert any(why in reason for reason in refused(agent)), refused(agent)
    assert await agent.beat()  # the failed result reaches the platform, which drops the command from the queue
    result = platform.state.db.conn.execute("SELECT ok, result FROM command_results WHERE command_id = ?", (command_id,)).fetchone()
    assert result is not None and result[0] == 0 and result[1].startswith("refused:")


async def test_an_unsigned_command_is_refused(agent: FleetAgent, platform: EmbeddedPlatform) -> None:
    await check_refused(agent, platform, inject(platform, genuine(platform)), "not signed by the operations key")


async def test_a_command_signed_with_another_key_is_refused(agent: FleetAgent, platform: EmbeddedPlatform) -> None:
    forged = sign_command(generate(SM2_SM3), genuine(platform))
    await check_refused(agent, platform, inject(platform, forged), "does not verify with the pinned key")


async def test_a_command_downgraded_to_ed25519_is_refused(agent: FleetAgent, platform: EmbeddedPlatform) -> None:
    forged = sign_command(generate("ed25519"), genuine(platform))
    await check_refused(agent, platform, inject(platform, forged), "pinned key is SM2-SM3")


async def test_a_command_issued_a_year_ago_is_refused(agent: FleetAgent, platform: EmbeddedPlatform) -> None:
    year_ago = int(platform.state.clock()) - 365 * 86400
    old = sign_command(platform.state.operations_key, genuine(platform, issued_at=year_ago, expires_at=year_ago + 86400))
    await check_refused(agent, platform, inject(platform, old), "expired")


async def test_a_command_for_another_terminal_is_refused(agent: FleetAgent, platform: EmbeddedPlatform) -> None:
    other = sign_command(platform.state.operations_key, genuine(platform, terminal_id="CQ-500112-AT99"))
    await check_refused(agent, platform, inject(platform, other), "not this one")


async def test_a_replayed_command_is_refused_by_its_counter(agent: FleetAgent, platform: EmbeddedPlatform) -> None:
    first = queue_command(platform.state, TID, "in_service", {})
    assert await agent.beat() and agent.commands.seen(first)
    row = platform.state.db.conn.execute("SELECT envelope FROM commands WHERE command_id = ?", (first,)).fetchone()
    replay = {**json.loads(row[0]), "command_id": "cmd_replayed0001"}  # same signed counter under a new id: signature breaks
    inject(platform, replay)
    # even the operations key's own signature does not make a used counter run again
    resigned = sign_command(platform.state.operations_key, {**replay, "command_id": "cmd_replayed0002", "type": "hall_message", "args": {"text": "x"}})
    await check_refused(agent, platform, inject(platform, resigned), "not above the last one run")
    assert any("does not verify" in reason for reason in refused(agent))  # the re-labelled replay


async def test_a_genuine_command_still_runs_after_refusals(agent: FleetAgent, platform: EmbeddedPlatform) -> None:
    inject(platform, genuine(platform))
    good = queue_command(platform.state, TID, "hall_message", {"text": "今日 17:00 闭厅"})
    assert await agent.beat()
    assert agent.mode.snapshot.hall_message == "今日 17:00 闭厅" and agent.commands.seen(good)
