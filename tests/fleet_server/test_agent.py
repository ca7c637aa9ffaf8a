"""A real terminal fleet agent against the fleet server behind nginx, on a real PostgreSQL: enrolment, heartbeat,
a signed command and its result, a bundle fetched from nginx."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kiosk.admin.bundles import build_bundle, sign_bundle
from kiosk.fleet.agent import FleetAgent
from kiosk.fleet.commands import FLEET, CommandLog
from kiosk.fleet.configs import ConfigBundles
from kiosk.fleet.static_source import StaticBundleSource
from kiosk.platform.trust import PlatformTrust
from kiosk.security.suite import generate
from kiosk.store import AuditTrail, Store
from kiosk.terminal.platform import PlatformClient
from tests.fleet.conftest import ITEMS, make_catalog
from tests.fleet_server.conftest import Fleet

IDS = iter(f"CQ-500112-FS{n:02d}" for n in range(1, 100))
BUNDLE_KEY = generate("ed25519")


@pytest.fixture
async def agent(tmp_path: Path, fleet: Fleet) -> AsyncIterator[FleetAgent]:
    tid = next(IDS)  # one terminal per test: each enrols afresh
    code = fleet.server.cli("enrol-code", "--terminal", tid)
    client = PlatformClient(fleet.nginx.url, tid, generate("SM2-SM3"), enrollment_code=code, district_code="500112", retries=0,
                            trust=PlatformTrust.from_keys(fleet.keys["platform"], fleet.keys["operations"]))
    store = Store(tmp_path / "kiosk.db", [FLEET])
    source = StaticBundleSource(fleet.nginx.url + "/bundles", tid)
    configs = ConfigBundles(tmp_path / "config", ITEMS, BUNDLE_KEY.public_b64())
    agent = FleetAgent(client, configs, audit=AuditTrail(store), commands=CommandLog(store), data_dir=tmp_path, bundle_source=source)
    yield agent
    await source.aclose()
    await client.aclose()


async def test_enrol_heartbeat_command_and_result(agent: FleetAgent, fleet: Fleet) -> None:
    tid = agent.client.terminal_id
    assert await agent.beat()  # TERMINAL_UNKNOWN → the client enrols with its code, then the heartbeat goes through
    assert fleet.pg.psql(f"SELECT alg FROM terminals WHERE terminal_id = '{tid}'") == "SM2-SM3"
    assert fleet.pg.psql(f"SELECT state FROM terminal_status WHERE terminal_id = '{tid}'") == "starting"
    command_id = fleet.server.cli("command", tid, "hall_message", "--args", json.dumps({"text": "今日 17:00 闭厅"}))
    assert await agent.beat()  # delivers the command; the agent runs it
    assert agent.mode.snapshot.hall_message == "今日 17:00 闭厅"
    assert await agent.beat()  # carries the result back
    assert fleet.pg.psql(f"SELECT ok || '/' || refused FROM command_results WHERE command_id = '{command_id}'") == "true/false"
    assert fleet.pg.psql(f"SELECT acked_at IS NOT NULL FROM commands WHERE command_id = '{command_id}'") == "t"
    assert fleet.pg.psql(f"SELECT hall_message FROM terminal_status WHERE terminal_id = '{tid}'") == "今日 17:00 闭厅"


async def test_bundle_rolled_out_is_fetched_from_nginx_and_acknowledged(agent: FleetAgent, fleet: Fleet, tmp_path: Path) -> None:
    tid = agent.client.terminal_id
    bundle = tmp_path / "items-v7.zip"
    bundle.write_bytes(sign_bundle(build_bundle(make_catalog(tmp_path / "catalog"), 7), BUNDLE_KEY))
    fleet.server.cli("bundle", str(bundle), "--version", "7")
    fleet.server.cli("rollout", "--bundle", "items-v7.zip", "--percent", "100")
    assert json.loads((fleet.server.bundles_dir / "current.json").read_text())["bundle"] == "items-v7.zip"
    assert await agent.beat()  # the reply announces version 7 (after the 2 s rollout cache at most: beat again if not)
    for _ in range(10):
        if agent.configs.state.staged is not None or agent.configs.state.ack().get("version") == "7":
            break
        await asyncio.sleep(0.5)
        await agent.beat()
    assert agent.configs.state.staged is not None  # downloaded from nginx (static), verified, staged
    assert agent.apply_staged_if_idle(session_active=False) == "applied"
    assert await agent.beat()
    acks = fleet.pg.psql(f"SELECT string_agg(state, ',' ORDER BY state) FROM config_acks WHERE terminal_id = '{tid}' AND target = '7'")
    assert "applied" in acks.split(",")
    assert fleet.pg.psql(f"SELECT config_version FROM terminal_status WHERE terminal_id = '{tid}'") == "7"


async def test_logs_upload_to_files_outside_the_database(agent: FleetAgent, fleet: Fleet, tmp_path: Path) -> None:
    tid = agent.client.terminal_id
    import gzip
    import hashlib

    assert await agent.beat()
    data = gzip.compress(b"redacted log lines")
    digest = hashlib.sha256(data).hexdigest()
    response = await agent.client.transport.request("PUT", f"/v1/terminals/logs/{digest}", content=data, content_type="application/octet-stream")
    assert response.json() == {"sha256": digest, "size": len(data)}
    path = Path(fleet.pg.psql(f"SELECT path FROM log_uploads WHERE sha256 = '{digest}'"))
    assert path.read_bytes() == data and path.parent.name == tid
