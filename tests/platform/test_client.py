"""The client against the emulator over real HTTP on loopback, and against httpx.MockTransport for failures."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.errors import PlatformAuthError, PlatformRejected, PlatformUnavailable
from kiosk.terminal.events import EventBus
from kiosk.terminal.platform import LinkState, PlatformClient, PlatformStatusChanged, load_or_create_key
from sim.platform.server import EmbeddedPlatform
from sim.platform.terminals import queue_command
from tests.platform.conftest import FACE, TERMINAL_ID, ZHANGSAN, application


async def test_identity_methods_yield_person_tokens(client: PlatformClient) -> None:
    by_face = await client.verify_id_card(ZHANGSAN, FACE, liveness_score=0.97)
    assert by_face.method == "id_card_face" and by_face.id_number_masked == "5001**********2613" and by_face.similarity
    by_code = await client.verify_code("YKM1-ZHANGSAN-7F3K2Q9M", "yukuaima")
    by_card = await client.verify_social_security("C50011201", ZHANGSAN["id_number"], "张三")
    assert by_code.name_masked == by_card.name_masked == "张*"
    with pytest.raises(PlatformRejected) as wrong:
        await client.verify_id_card({"name": "李四", "id_number": ZHANGSAN["id_number"]}, FACE)
    assert wrong.value.code == "PERSON_NOT_FOUND" and wrong.value.field == "id_card.id_number"


async def test_contract_violations_come_back_as_422_with_field(client: PlatformClient) -> None:
    with pytest.raises(PlatformRejected) as bad:
        await client.verify_id_card({"name": "张三", "id_number": "50011219870315261"}, FACE)
    assert (bad.value.status, bad.value.code, bad.value.field) == (422, "FIELD_INVALID", "id_card.id_number")
    assert "格式不正确" in bad.value.message


async def test_shared_data_and_licenses(client: PlatformClient, person_token: str) -> None:
    shared = await client.shared_data(person_token, ["household_address", "insurance"])
    assert shared.data["household_address"].startswith("重庆市渝北区") and shared.sources["insurance"] == "市人力社保局"
    licenses = await client.list_licenses(person_token)
    assert {"hukou", "marriage", "birth_cert"} <= {x.type_code for x in licenses}
    marriage = await client.get_license(person_token, next(x.license_id for x in licenses if x.type_code == "marriage"))
    assert marriage.fields["配偶"] == "刘梅" and len(marriage.sha256) == 64


async def test_same_idempotency_key_gives_the_same_case(client: PlatformClient, person_token: str) -> None:
    body = application(person_token)
    first = await client.submit_application(body, "outbox-0001")
    second = await client.submit_application(body, "outbox-0001")
    assert second.case_id == first.case_id and (first.replayed, second.replayed) == (False, True)
    other = await client.submit_application(body, "outbox-0002")
    assert other.case_id != first.case_id
    with pytest.raises(PlatformRejected) as conflict:
        await client.submit_application({**body, "form": {"reason": "别的"}}, "outbox-0001")
    assert (conflict.value.status, conflict.value.code) == (409, "IDEMPOTENCY_CONFLICT")


async def test_handling_modes(client: PlatformClient, person_token: str) -> None:
    with pytest.raises(PlatformRejected) as missing:
        await client.submit_application(application(person_token, mode="remote_proxy"), "mode-0001")
    assert missing.value.field == "handling_district"
    proxy = await client.submit_application(application(person_token, mode="remote_proxy", handling_district="500101"), "mode-0002")
    case = await client.get_case(proxy.case_id)
    assert (case.receiving_district, case.handling_district, case.status) == ("500112", "500101", "accepted")
    instant = await client.submit_application(application(person_token, "CQ-RS-0001", "instant"), "mode-0003")
    assert instant.status == "completed" and instant.result_document and instant.result_document.fields["申请人"] == "张三"
    joint = await client.submit_application(application(person_token, "CQ-MZ-0007", "multi_site", participating_districts=["500112", "500233"], handling_district="500233"), "mode-0004")
    assert joint.mode == "multi_site"
    with pytest.raises(PlatformRejected) as unsupported:
        await client.submit_application(application(person_token, "CQ-RS-0001", "online"), "mode-0005")
    assert unsupported.value.code == "MODE_NOT_SUPPORTED"


async def test_materials_are_uploaded_then_referenced(client: PlatformClient, person_token: str) -> None:
    scan = b"\xff\xd8" + bytes(3000)
    receipt = await client.upload_material(scan, "image/jpeg")
    assert receipt.sha256 == hashlib.sha256(scan).hexdigest()
    with pytest.raises(PlatformRejected) as missing:
        await client.submit_application(application(person_token, materials=[{"material_code": "hukou", "name": "户口簿", "source": "scan", "sha256": "0" * 64}]), "mat-0001")
    assert (missing.value.code, missing.value.field) == ("MATERIAL_MISSING", "materials.0.sha256")
    refs = [{"material_code": "form", "name": "申请表", "source": "scan", "sha256": receipt.sha256},
            {"material_code": "hukou", "name": "户口簿", "source": "license", "license_id": "LIC-zhangsan-hukou-1"}]
    assert (await client.submit_application(application(person_token, materials=refs), "mat-0002")).case_id


async def test_cases_advance_with_time(platform: EmbeddedPlatform, client: PlatformClient, person_token: str) -> None:
    platform.state.stage_s = 0.5
    result = await client.submit_application(application(person_token, mode="remote_proxy", handling_district="500101"), "time-0001")
    seen = [(await client.get_case(result.case_id)).status]
    while seen[-1] != "completed":
        await asyncio.sleep(0.1)
        seen.append((await client.get_case(result.case_id)).status)
    order = ["accepted", "transferred", "reviewing", "completed"]
    assert seen[0] == "accepted" and seen == sorted(seen, key=order.index) and len(set(seen)) >= 3
    final = await client.get_case(result.case_id)
    assert [e.status for e in final.history] == order and final.result_document is not None


async def test_services_around_a_case(client: PlatformClient, person_token: str) -> None:
    case = await client.submit_application(application(person_token), "svc-0001")
    evaluation = await client.evaluate(1, "等太久", case_id=case.case_id)
    assert evaluation.level == "非常不满意" and evaluation.rectification_required
    with pytest.raises(PlatformRejected):
        await client.evaluate(5, case_id=case.case_id)
    centres = await client.list_centres(lat=29.72, lon=106.63, limit=3)
    assert centres[0].district_code == "500112" and centres[0].distance_km is not None and centres[0].phone
    assert len(await client.list_districts()) == 38
    ticket = await client.take_queue_ticket(centres[0].centre_id, "CQ-RS-0004", person_token)
    assert ticket.ticket_no.startswith("A") and ticket.estimated_wait_min == ticket.waiting_ahead * 4
    assert (await client.search_knowledge("社保卡丢了"))[0].item_code == "CQ-RS-0013"
    complaint = await client.file_complaint("cannot_handle", "材料齐全但无法受理", item_code="CQ-RS-0004")
    assert complaint.hotline == "12345"
    help_ticket = await client.request_help("on_site", step="materials")
    assert help_ticket.status == "assigned"


async def test_heartbeat_returns_commands_until_acked(platform: EmbeddedPlatform, client: PlatformClient) -> None:
    command_id = queue_command(platform.state, TERMINAL_ID, "reload_config")
    reply = await client.heartbeat({"software_version": "0.1.0", "config_version": "0", "outbox": {"depth": 0, "oldest_age_s": 0}})
    assert [c.command_id for c in reply.commands] == [command_id]
    reply = await client.heartbeat({"software_version": "0.1.0", "config_version": "0", "acked_commands": [command_id]})
    assert reply.commands == []


async def test_bundle_download_uses_etag(platform: EmbeddedPlatform, client: PlatformClient) -> None:
    assert platform.state.bundles_dir is not None
    (platform.state.bundles_dir / "items-7.bundle").write_bytes(b"bundle-bytes")
    (platform.state.bundles_dir / "current.json").write_text(json.dumps({"version": "7", "bundle": "items-7.bundle"}))
    current = await client.current_config()
    assert (current.version, current.url) == ("7", "/bundles/items-7.bundle")
    content, etag = await client.download_bundle("items-7.bundle")
    assert content == b"bundle-bytes" and etag == f'"{current.sha256}"'
    assert await client.download_bundle("items-7.bundle", etag) == (None, etag)
    with pytest.raises(PlatformRejected):
        await client.download_bundle("missing.bundle")


async def test_forgotten_terminal_registers_again(platform: EmbeddedPlatform, client: PlatformClient) -> None:
    platform.state.db.conn.execute("DELETE FROM terminals")
    assert (await client.list_items()).total >= 10


def test_key_file_is_created_0600_and_reused(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "keys" / "terminal.key")
    assert (tmp_path / "keys" / "terminal.key").stat().st_mode & 0o777 == 0o600
    assert load_or_create_key(tmp_path / "keys" / "terminal.key").public_key().public_bytes_raw() == key.public_key().public_bytes_raw()


def _mock_client(handler: object, bus: EventBus | None = None, retries: int = 3) -> PlatformClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    return PlatformClient("http://platform.test", TERMINAL_ID, Ed25519PrivateKey.generate(), enrollment_code="DEMO-ENROLL", district_code="500112", http=http, bus=bus,
                          retries=retries, backoff_base_s=0.001, backoff_max_s=0.002)


async def test_only_idempotent_calls_are_retried() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path} {request.headers.get('X-Nonce')}")
        return httpx.Response(503)

    client = _mock_client(handler)
    with pytest.raises(PlatformUnavailable):
        await client.get_case("CQ20261126000001")
    assert len(calls) == 4 and len({c.split()[2] for c in calls}) == 4  # 1 + 3 retries, each signed afresh
    calls.clear()
    with pytest.raises(PlatformUnavailable):
        await client.verify_code("YKM1-ZHANGSAN-7F3K2Q9M")
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(PlatformUnavailable):
        await client.submit_application({"x": 1}, "key-00000001")
    assert len(calls) == 4


async def test_errors_map_to_our_tree_and_status_is_published() -> None:
    answers = iter([httpx.ConnectError("refused"), httpx.Response(422, json={"code": "ITEM_UNKNOWN", "message": "事项不存在", "field": "item_code"}),
                    httpx.Response(401, json={"code": "SIGNATURE_INVALID", "message": "签名校验失败", "field": "X-Signature"}), httpx.Response(502, text="bad gateway")])

    def handler(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    bus = EventBus()
    client = _mock_client(handler, bus, retries=0)
    with pytest.raises(PlatformUnavailable):
        await client.get_item("X")
    assert client.status().state is LinkState.OFFLINE
    with pytest.raises(PlatformRejected) as rejected:
        await client.get_item("X")
    assert (rejected.value.code, rejected.value.field, rejected.value.status) == ("ITEM_UNKNOWN", "item_code", 422)
    assert client.status().state is LinkState.ONLINE
    with pytest.raises(PlatformAuthError):
        await client.get_item("X")
    assert client.status().state is LinkState.AUTH_FAILED
    with pytest.raises(PlatformUnavailable):
        await client.get_item("X")
    states = [e.new.state for e in bus.recent([PlatformStatusChanged])]
    assert states == [LinkState.OFFLINE, LinkState.ONLINE, LinkState.AUTH_FAILED, LinkState.OFFLINE]
    assert all(e.device == "platform" for e in bus.recent([PlatformStatusChanged]))


async def test_answer_breaking_the_contract_is_unavailable_not_a_crash() -> None:
    client = _mock_client(lambda request: httpx.Response(200, json={"unexpected": True}), retries=0)
    with pytest.raises(PlatformUnavailable, match="breaks the contract"):
        await client.get_case("CQ20261126000001")


def test_backoff_is_exponential_jittered_and_capped() -> None:
    client = _mock_client(lambda request: httpx.Response(200))
    transport = client.transport
    transport.backoff_base_s, transport.backoff_max_s = 0.1, 1.0
    for attempt, cap in [(0, 0.1), (1, 0.2), (2, 0.4), (3, 0.8), (4, 1.0), (9, 1.0)]:
        delays = [transport.backoff(attempt) for _ in range(200)]
        assert all(cap / 2 <= d <= cap for d in delays)
        assert len(set(delays)) > 100  # jittered, so a fleet does not retry in lockstep
