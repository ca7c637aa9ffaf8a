"""A catalog worth its name: ≥ 60 items over every field, structured codes, sourced or honestly unknown facts.

Negative controls corrupt a copy of one item (a broken code, a missing provenance, a generic clause
under a basis whose articles are known, 即办 on an item with a review period) and expect the rule.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.content import items_dir
from kiosk.items import codes, load_catalog, validate_dir

CATALOG = items_dir()
FIELDS = {"education", "medical", "employment", "social_insurance", "elderly", "housing", "marriage_birth", "travel",
          "market_entry", "construction", "household"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CATALOG)


def test_at_least_60_items_covering_every_field(catalog):
    assert len(catalog.items) >= 60
    by_field: dict[str, int] = {}
    for item in catalog.items.values():
        by_field[item.category] = by_field.get(item.category, 0) + 1
    assert set(by_field) == FIELDS and min(by_field.values()) >= 3, by_field
    names = {item.name for item in catalog.items.values()}
    assert {"建设工程规划许可证核发", "建筑工程施工许可证核发"} <= names  # 投资建设


def test_every_code_is_structurally_valid(catalog):
    for code, item in catalog.items.items():
        parsed, faults = codes.parse(code, item.basic_code)
        assert parsed is not None and not faults, (code, faults)
        assert parsed.handling == code and parsed.seq != "00"
    verified = {c for c, i in catalog.items.items() if i.code_status == "verified"}
    assert verified == {"00013112800001", "00013112800002", "00013112800003"}  # the S35 family, nothing else claimed
    for code in verified:
        assert catalog.item(code).provenance["code"].status in ("official", "repost")
    for item in catalog.items.values():
        if item.code_status != "verified":
            assert item.code_status == "synthetic" and item.provenance["code"].status == "synthetic"


def test_every_item_has_basis_limits_fees_or_explicit_unknown(catalog):
    for item in catalog.items.values():
        facts = item.provenance
        assert set(facts) >= {"code", "basis", "time_limits", "fees", "immediate_decision"}, item.code
        for key in ("statutory", "promised"):
            if getattr(item.time_limits, key).kind == "unknown":
                assert {key, "*"} & set(facts["time_limits"].unknown) or facts["time_limits"].status == "unknown", (item.code, key)
        if item.fees.free is None or any(f.amount_yuan is None for f in item.fees.items):
            assert facts["fees"].unknown or facts["fees"].status == "unknown", item.code
        for basis in item.basis:
            if basis.kind != "guide" and not basis.articles:
                assert basis.id in facts["basis"].unknown or facts["basis"].status == "unknown", (item.code, basis.id)
        for fact in facts.values():
            assert fact.status in ("unknown", "synthetic") or fact.sources, (item.code, fact)


def test_review_points_cite_the_article_where_the_basis_has_one(catalog):
    cited = generic = 0
    for item in catalog.items.values():
        for material in item.materials:
            for point in material.review_points:
                basis = item.basis_by_id(point.rejection.basis_ref)
                if basis.articles:
                    assert any((point.rejection.clause or "").startswith(a) for a in basis.articles), (item.code, material.id, point.id)
                    cited += 1
                else:
                    generic += 1
    assert cited > generic / 2  # most rejections now name 条 (was 42 of 264)


def test_immediate_decision_is_recorded_truthfully(catalog):
    by_name = {item.name: item for item in catalog.items.values()}
    for name in ("教师资格认定", "居住证申领", "工伤认定申请", "建筑工程施工许可证核发", "内地居民离婚登记（预约）"):
        assert not by_name[name].immediate_decision.allowed, name
    assert by_name["个体工商户设立登记注册"].immediate_decision.allowed
    for item in catalog.items.values():
        decision = item.immediate_decision
        assert decision.basis
        if decision.allowed:
            assert item.time_limits.promised.kind == "immediate", item.code
        else:
            assert "on_site" not in item.handling_modes, item.code
            assert all("on_site" not in s.handling_modes for s in item.situations), item.code


def test_sscard_fee_differs_by_situation(catalog):
    item = catalog.item("00011200600001")
    assert [f.amount_yuan for f in item.fees.for_situation("s_first_adult")] == [0]
    reissue = item.fees.for_situation("s_reissue")
    assert [(f.name, f.amount_yuan) for f in reissue] == [("补领工本费", 20)]
    assert item.provenance["fees"].status == "third_party" and "25" in (reissue[0].note or "")  # the conflict stays visible


Doc = dict[str, Any]
TARGET = "residence_permit.json"


def _corrupt(tmp_path: Path, mutate: Callable[[Doc], None]) -> set[str]:
    copy = tmp_path / "items"
    shutil.copytree(CATALOG, copy)
    path = copy / TARGET
    doc = json.loads(path.read_text(encoding="utf-8"))
    mutate(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return {p.rule for p in validate_dir(copy).problems}


def _code_suffix_00(d: Doc) -> None:
    d["code"] = d["basic_code"] + "00"


def _code_not_basic(d: Doc) -> None:
    d["code"] = "00019999900001"


def _no_facts(d: Doc) -> None:
    del d["provenance"]["facts"]


def _no_immediate(d: Doc) -> None:
    del d["immediate_decision"]


def _immediate_with_review(d: Doc) -> None:
    d["immediate_decision"]["allowed"] = True


def _generic_clause(d: Doc) -> None:
    point = next(p for m in d["materials"] for p in m.get("review_points", []) if p["rejection"].get("basis_ref") == "b_reg")
    point["rejection"]["clause"] = "材料须齐全"


def _unknown_limit_unexplained(d: Doc) -> None:
    d["time_limits"]["promised"] = {"kind": "unknown"}


def _synthetic_claimed_verified(d: Doc) -> None:
    d["code_status"] = "verified"


@pytest.mark.parametrize(("mutate", "rule"), [
    (_code_suffix_00, "code_structure"), (_code_not_basic, "code_structure"), (_no_facts, "provenance_missing"),
    (_no_immediate, "immediate_decision_missing"), (_immediate_with_review, "immediate_with_review_period"),
    (_generic_clause, "generic_clause"), (_unknown_limit_unexplained, "unknown_without_provenance"),
    (_synthetic_claimed_verified, "code_provenance_mismatch"),
])
def test_corruption_is_rejected(tmp_path, mutate, rule):
    assert rule in _corrupt(tmp_path, mutate)


def test_uncorrupted_copy_is_clean(tmp_path):
    assert _corrupt(tmp_path, lambda d: None) == set()  # control for the cases above
