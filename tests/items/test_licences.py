"""电子证照 complete: every vocabulary licence type maps to a contract type the emulator can return.

The negative controls drop one mapping entry (data, not code) and corrupt a material's type: the
validator must then reject the material instead of offering a 免提交 that can never be fetched.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.content import items_dir
from kiosk.flows.materials import LICENSE_TYPES
from kiosk.items import licences, validate_dir, vocab
from kiosk.terminal.platform import PlatformClient
from sim.platform.server import EmbeddedPlatform

SEED = Path(__file__).resolve().parents[2] / "sim" / "sim" / "platform" / "seed" / "persons.json"
FACE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"


def test_every_vocabulary_type_is_mapped_to_a_contract_code():
    assert set(licences.PLATFORM_LICENSE_TYPES) == set(vocab.ELICENSE_TYPES)
    assert licences.unmapped() == ()
    assert set(licences.PLATFORM_LICENSE_TYPES.values()) == licences.contract_license_codes()
    assert LICENSE_TYPES is licences.PLATFORM_LICENSE_TYPES  # the flow engine uses the same table


def test_every_catalog_licence_material_is_fetchable():
    result = validate_dir(items_dir())
    assert result.ok, result.problems[:3]
    used = {m["elicense"] for _, doc in result.items.values() for m in doc["materials"] if m.get("elicense")}
    assert used and all(licences.fetchable(t) for t in used)


def test_unmapped_licence_type_is_rejected(monkeypatch):
    monkeypatch.delitem(licences.PLATFORM_LICENSE_TYPES, "marriage_certificate")
    problems = [p for p in validate_dir(items_dir()).problems if p.rule == "elicense_not_fetchable"]
    assert problems and all(p.path.endswith(".elicense") for p in problems)
    monkeypatch.undo()
    assert not [p for p in validate_dir(items_dir()).problems if p.rule == "elicense_not_fetchable"]  # control


def test_unknown_licence_type_in_a_material_is_rejected(tmp_path):
    copy = tmp_path / "items"
    shutil.copytree(items_dir(), copy)
    target = copy / "sscard_apply_replace.json"
    doc = json.loads(target.read_text(encoding="utf-8"))
    doc["materials"][0]["elicense"] = "driving_licence"
    target.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    rules = {p.rule for p in validate_dir(copy).problems}
    assert "unknown_elicense_type" in rules


@pytest.fixture
async def platform_client(tmp_path: Path) -> AsyncIterator[PlatformClient]:
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    with EmbeddedPlatform(tmp_path / "platform.db", bundles_dir=bundles) as emulator:
        client = PlatformClient(emulator.url, "CQ-500112-T001", Ed25519PrivateKey.generate(), enrollment_code="DEMO-ENROLL", district_code="500112",
                                hall="渝北区政务服务中心", timeout_s=5, retries=2, backoff_base_s=0.01, backoff_max_s=0.05)
        await client.register()
        try:
            yield client
        finally:
            await client.aclose()


async def test_emulator_returns_every_contract_type_for_demo_personas(platform_client: PlatformClient):
    persons = json.loads(SEED.read_text(encoding="utf-8"))["persons"]
    seen: set[str] = set()
    for person in persons:
        token = (await platform_client.verify_id_card({"name": person["name"], "id_number": person["id_number"]}, FACE)).person_token
        for summary in await platform_client.list_licenses(token):
            licence = await platform_client.get_license(token, summary.license_id)
            assert licence.type_code == summary.type_code and licence.sha256
            seen.add(summary.type_code)
        filtered = await platform_client.list_licenses(token, type_code="id_card")
        assert all(x.type_code == "id_card" for x in filtered)
    assert seen == licences.contract_license_codes()


def test_chip_read_satisfies_only_the_identified_persons_id_material():
    from kiosk.flows.materials import satisfied_by_chip
    from kiosk.items import load_catalog

    catalog = load_catalog(items_dir())
    ids = [m for item in catalog.items.values() for m in item.materials if m.elicense == "resident_id_card"]
    assert ids and all(m.holder in ("applicant", "agent", "other") for m in ids)
    item = catalog.item("00011200600001")  # 社保卡
    assert satisfied_by_chip(item.material("idcard"), "idcard_face")
    assert not satisfied_by_chip(item.material("idcard"), "ykm")  # 渝快码 reads no chip
    assert not satisfied_by_chip(item.material("agent_idcard"), "idcard_face")  # someone else's card
    assert not satisfied_by_chip(item.material("photo"), "idcard_face")
    spouse = next(m for it in catalog.items.values() for m in it.materials if m.id == "spouse_idcard")
    assert spouse.holder == "other" and not satisfied_by_chip(spouse, "idcard_face")


def test_id_material_without_holder_is_rejected(tmp_path):
    copy = tmp_path / "items"
    shutil.copytree(items_dir(), copy)
    target = copy / "sscard_apply_replace.json"
    doc = json.loads(target.read_text(encoding="utf-8"))
    del doc["materials"][0]["holder"]
    target.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert "id_holder_missing" in {p.rule for p in validate_dir(copy).problems}
