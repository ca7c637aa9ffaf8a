"""The shipped catalog validates, covers the required domains, and loads into the typed model."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from kiosk.cli.main import main
from kiosk.content import items_dir
from kiosk.items import ConditionContext, load_catalog, validate_dir, vocab

ROOT = Path(__file__).resolve().parents[2]
CATALOG = items_dir()
SCHEMA = ROOT / "kiosk" / "items" / "schema" / "item.schema.json"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CATALOG)


def test_cli_validate_passes(capsys):
    assert main(["items", "validate", str(CATALOG)]) == 0
    out = capsys.readouterr().out
    assert "ok" in out and "item(s)" in out and "life event(s)" in out


def test_catalog_size_and_domains(catalog):
    assert len(catalog.items) >= 15
    assert all(len(item.situations) >= 2 for item in catalog.items.values())
    categories = {item.category for item in catalog.items.values()}
    assert {"education", "medical", "employment", "elderly", "housing", "marriage_birth", "travel", "market_entry"} <= categories
    assert {b.name for b in catalog.life_events.values()} >= {"新生儿出生一件事", "退休一件事"}


def test_codes_follow_observed_pattern(catalog):
    for code, item in catalog.items.items():
        assert code.startswith(item.basic_code) and len(code) == len(item.basic_code) + 2
    # The one code the reference verified (S35).
    assert catalog.item("00013112800001").code_status == "verified"


def test_every_rejection_cites_resolvable_basis(catalog):
    for item in catalog.items.values():
        for material in item.materials:
            for point in material.review_points:
                cite = item.basis_by_id(point.rejection.basis_ref).cite(point.rejection.clause)
                assert cite.strip()


def test_guide_resolves_to_situation_and_conditional_materials(catalog):
    item = catalog.item("00011500200001")  # 异地就医备案
    assert item.resolve({"q_type": "o_long"}) is None  # incomplete walk
    situation = item.resolve({"q_type": "o_long", "q_long": "o_retire"})
    assert situation.id == "s_retired"
    with_commitment = ConditionContext(fields={"proof_type": "commit"}, identity="idcard_face")
    names = [m.id for m in item.situation_materials(situation.id, with_commitment)]
    assert "commitment" in names and "residence_proof" not in names and "authorization" not in names
    as_agent = ConditionContext(fields={"proof_type": "proof"}, identity="agent")
    ids = [m.id for m in item.situation_materials(situation.id, as_agent)]
    assert {"residence_proof", "authorization", "agent_idcard"} <= set(ids)


def test_model_is_frozen(catalog):
    item = next(iter(catalog.items.values()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize("code", ["YJS000001", "YJS000002"])
def test_life_event_members_resolve(catalog, code):
    life_event = catalog.life_event(code)
    for shared in life_event.shared_materials:
        for member_id, material_id in shared.maps_to.items():
            member = next(m for m in life_event.members if m.id == member_id)
            catalog.item(member.item).material(material_id)
    for member in life_event.members:
        item = catalog.item(member.item)
        if member.situation:
            item.situation(member.situation)
        for method in life_event.identity_methods:
            assert method in item.identity.methods
    for shared in life_event.shared_fields:
        for member_id, field_id in shared.maps_to.items():
            member = next(m for m in life_event.members if m.id == member_id)
            catalog.item(member.item).field(field_id)


def test_schema_enums_match_vocab():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    assert set(defs["handling_mode"]["enum"]) == set(vocab.HANDLING_MODES)
    assert set(defs["identity_method"]["enum"]) == set(vocab.IDENTITY_METHODS)
    assert set(defs["field"]["properties"]["type"]["enum"]) == set(vocab.FIELD_TYPES)
    assert set(schema["properties"]["category"]["enum"]) == set(vocab.CATEGORIES)
    assert set(defs["material"]["properties"]["capture"]["items"]["enum"]) == set(vocab.CAPTURE_SOURCES)
    assert set(defs["review_point"]["properties"]["check"]["properties"]["kind"]["enum"]) == set(vocab.REVIEW_CHECKS)
    assert set(defs["district_rule"]["enum"]) == set(vocab.DISTRICT_RULES)


def test_prefill_sources_of_catalog_are_known():
    result = validate_dir(CATALOG)
    for _, doc in result.items.values():
        for field in doc["fields"]:
            if "prefill" in field:
                assert field["prefill"] in vocab.PREFILL_SOURCES
