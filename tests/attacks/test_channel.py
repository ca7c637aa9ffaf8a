"""The rest of the fleet channel under attack: fake platform answers, re-binding, replay after restart, reading other
terminals' cases, a terminal clock 400 s off, a downgraded request signature."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from kiosk.errors import PlatformAuthError, PlatformRejected, PlatformUnavailable
from kiosk.fleet.agent import FleetAgent
from kiosk.platform.signing import sign_headers, sign_response
from kiosk.security.suite import ED25519, SM2_SM3, generate
from kiosk.terminal.platform import PlatformClient
from sim.platform.server import EmbeddedPlatform
from sim.platform.terminals import issue_enrollment_code
from tests.attacks.conftest import FACE, TID, ZHANGSAN, make_client

EVIL_REPLY = b'{"server_time":1,"config_version":"0","commands":[{"command_id":"cmd_evil0001","type":"out_of_service","args":{},"issued_at":1}]}'


def fake_platform(answer: "callable[[httpx.Request], httpx.Response]") -> httpx.AsyncClient:  # type: ignore[valid-type]
    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


@pytest.mark.parametrize("how", ["unsigned", "own key", "flipped byte", "replayed"])
async def test_a_fake_platform_cannot_answer_for_the_real_one(platform: EmbeddedPlatform, agent: FleetAgent, how: str) -> None:
    """A DNS/MITM fake platform replying to the heartbeat: nothing it says is taken (no out_of_service, no hall message)."""
    recorded: dict[str, str] = {}
    real = await agent.client.transport.http.get(platform.url + "/v1/ping", headers={"X-Nonce": "recorded-nonce-0001"})
    recorded.update(real.headers)

    def answer(request: httpx.Request) -> httpx.Response:
        body = EVIL_REPLY
        if how == "unsigned":
            return httpx.Response(200, content=body)
        if how == "own key":
            nonce = request.headers["X-Nonce"]
            return httpx.Response(200, content=body, headers=sign_response(generate(SM2_SM3), 200, request.method, request.url.raw_path.decode(),
                                                                           nonce, body, platform.state.clock()))
        if how == "flipped byte":
            nonce = request.headers["X-Nonce"]
            headers = sign_response(platform.state.platform_key, 200, request.method, request.url.raw_path.decode(), nonce, body, platform.state.clock())
            return httpx.Response(200, content=body.replace(b"out_of_service", b"out_of_servicf"), headers=headers)
        return httpx.Response(real.status_code, content=real.content, headers={k: v for k, v in recorded.items() if k.startswith("x-platform")})

    agent.client.transport.http = fake_platform(answer)
    before = agent.mode.snapshot.mode
    assert not await agent.beat()
    assert agent.mode.snapshot.mode == before and not agent.commands.seen("cmd_evil0001")
    assert agent.client.status().state.value == "auth_failed"


async def test_a_genuine_answer_is_taken(client: PlatformClient) -> None:
    assert (await client.heartbeat({"software_version": "1", "config_version": "0", "uptime_s": 1, "devices": []})).commands == []
    assert client.status().state.value == "online"


async def test_the_public_demo_code_cannot_rebind_a_registered_terminal(platform: EmbeddedPlatform, client: PlatformClient) -> None:
    thief = make_client(platform, code="DEMO-ENROLL")
    with pytest.raises(PlatformRejected) as refused:
        await thief.register()
    assert refused.value.code == "TERMINAL_BOUND"
    await client.list_districts()  # the real terminal keeps working
    await thief.aclose()


async def test_rebinding_needs_a_one_time_operator_code_for_that_terminal(platform: EmbeddedPlatform, client: PlatformClient) -> None:
    code = issue_enrollment_code(platform.state, TID)
    other_terminal = make_client(platform, "CQ-500112-AT77", code=code)
    with pytest.raises(PlatformAuthError) as wrong_id:
        await other_terminal.register()
    assert wrong_id.value.code == "ENROLLMENT_INVALID"
    replaced = make_client(platform, code=code)  # the terminal after a disk swap, with a new key
    await replaced.register()
    await replaced.list_districts()
    again = make_client(platform, code=code)
    with pytest.raises(PlatformAuthError) as used:
        await again.register()
    assert used.value.code == "ENROLLMENT_INVALID"
    with pytest.raises(PlatformAuthError):
        await client.list_districts()  # the old key is no longer bound
    for c in (other_terminal, replaced, again):
        await c.aclose()


async def test_a_nonce_replayed_after_a_platform_restart_is_refused(tmp_path: Path) -> None:
    key = generate(SM2_SM3)
    with EmbeddedPlatform(tmp_path / "p.db") as first:
        client = make_client(first, key=key)
        await client.register()
        headers = sign_headers(key, TID, "GET", "/v1/districts", b"", now=first.state.clock())
        assert httpx.get(first.url + "/v1/districts", headers=headers).status_code == 200
        await client.aclose()
    with EmbeddedPlatform(tmp_path / "p.db") as restarted:
        replay = httpx.get(restarted.url + "/v1/districts", headers=headers)
        assert replay.status_code == 401 and replay.json()["code"] == "NONCE_REPLAYED"


async def test_an_sm2_terminal_cannot_be_downgraded_to_ed25519(platform: EmbeddedPlatform, client: PlatformClient) -> None:
    forged = sign_headers(generate(ED25519), TID, "GET", "/v1/districts", b"", now=platform.state.clock())
    answer = httpx.get(platform.url + "/v1/districts", headers=forged)
    assert answer.status_code == 401 and answer.json()["code"] == "SIGNATURE_INVALID"


async def submit(client: PlatformClient, token: str, n: int) -> str:
    body = {"item_code": "CQ-RS-0004", "person_token": token, "mode": "online", "receiving_district": "500112", "form": {"reason": "合同到期"},
            "materials": [], "terminal_receipt": f"{client.terminal_id}-20261126-{n:06d}", "submitted_at": 1795700000}
    return (await client.submit_application(body, f"idem-{client.terminal_id}-{n}")).case_id


async def test_cases_are_not_guessable_and_only_their_terminal_or_applicant_reads_them(platform: EmbeddedPlatform, client: PlatformClient) -> None:
    token = (await client.verify_id_card(ZHANGSAN, FACE)).person_token
    ids = [await submit(client, token, n) for n in range(4)]
    assert len({int(i[2:]) for i in ids}) == 4 and all(abs(int(a[2:]) - int(b[2:])) > 1000 for a, b in zip(ids, ids[1:]))
    other = make_client(platform, "CQ-500112-AT02")
    await other.register()
    for attempt in (lambda: other.get_case(ids[0]), lambda: other.get_case(ids[0], person_token=token)):  # a token stolen from the first
        with pytest.raises(PlatformRejected) as hidden:
            await attempt()
        assert hidden.value.code == "CASE_NOT_FOUND"
    own_token = (await other.verify_id_card(ZHANGSAN, FACE)).person_token  # 张三 identified at the second terminal
    assert (await other.get_case(ids[0], person_token=own_token)).case_id == ids[0]
    assert (await client.get_case(ids[1])).case_id == ids[1]
    await other.aclose()


async def test_a_clock_400_s_off_resyncs_from_signed_time_and_is_reported(platform: EmbeddedPlatform, agent: FleetAgent) -> None:
    transport = agent.client.transport
    transport.platform_clock.local = lambda: platform.state.clock() - 400  # the terminal's clock is 400 s slow
    assert await agent.beat()  # refused once as TIMESTAMP_STALE, resynced from the signed refusal, sent again
    state = transport.platform_clock.state()
    assert state.skew_detected and 395 <= state.offset_s <= 405
    assert await agent.beat()
    body = platform.state.db.conn.execute("SELECT last_heartbeat FROM terminals WHERE terminal_id = ?", (TID,)).fetchone()[0]
    assert '"skew_detected": true' in body and "clock_skew" in body


async def test_without_pinned_keys_nothing_from_the_platform_is_believed(platform: EmbeddedPlatform) -> None:
    from kiosk.platform.trust import PlatformTrust

    blind = make_client(platform, trust=PlatformTrust())
    with pytest.raises(PlatformUnavailable):
        await blind.register()
    await blind.aclose()
