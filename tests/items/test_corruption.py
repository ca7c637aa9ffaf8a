"""Corrupt a copy of the catalog in distinct ways; each error must name the item, path and rule."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli.main import main
from kiosk.content import items_dir
from kiosk.errors import ItemConfigError
from kiosk.items import load_catalog, validate_dir

CATALOG = items_dir()
TARGET = "si_record_print.json"
CODE = "00011200400001"
Doc = dict[str, Any]


def _del(path: list[Any]) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return mutate


def _set(path: list[Any], value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


def _append(path: list[Any], value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        node = doc
        for key in path:
            node = node[key]
        node.append(value)
    return mutate


# (name, mutation, expected JSON path, expected rule)
CASES = [
    ("missing_required_key", _del(["time_limits"]), "$", "schema.required"),
    ("wrong_type", _set(["conditions"], "在重庆参保"), "$.conditions", "schema.type"),
    ("unknown_handling_mode", _append(["handling_modes"], "teleport"), "$.handling_modes[3]", "schema.enum"),
    ("dangling_situation", _set(["questions", 0, "options", 0, "situation"], "s_missing"),
     "$.questions[0].options[0].situation", "dangling_reference"),
    ("rejection_without_basis", _del(["materials", 0, "review_points", 0, "rejection", "basis_ref"]),
     "$.materials[0].review_points[0].rejection", "rejection_without_basis"),
    ("unknown_prefill_source", _set(["fields", 0, "prefill"], "idcard.favourite_colour"),
     "$.fields[0].prefill", "unknown_prefill_source"),
    ("bad_regex", _set(["fields", 2, "pattern"], "[0-9"), "$.fields[2].pattern", "bad_pattern"),
    ("unknown_elicense_type", _set(["materials", 0, "elicense"], "driving_licence"),
     "$.materials[0].elicense", "unknown_elicense_type"),
    ("empty_situations", _set(["situations"], []), "$.situations", "schema.minItems"),
    ("unknown_template", _set(["templates", "receipt"], "receipt_missing"), "$.templates.receipt", "unknown_template"),
    ("template_kind_mismatch", _set(["templates", "receipt"], "notice_once"), "$.templates.receipt", "template_kind_mismatch"),
    ("agent_without_authorization", _del(["identity", "agent"]), "$.identity", "agent_without_authorization"),
    ("dangling_basis", _set(["materials", 0, "review_points", 0, "rejection", "basis_ref"], "b_nowhere"),
     "$.materials[0].review_points[0].rejection.basis_ref", "dangling_basis"),
    ("situation_material_missing", _append(["situations", 0, "materials"], "m_nowhere"),
     "$.situations[0].materials[3]", "dangling_reference"),
    ("guide_cycle", _set(["questions", 1, "options", 0], {"id": "o_all", "label": "x", "next": "q_kind"}),
     "$.questions", "guide_cycle"),
]


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    target = tmp_path / "items"
    shutil.copytree(CATALOG, target)
    return target


def _edit(directory: Path, name: str, mutate: Callable[[Doc], None]) -> Path:
    path = directory / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    mutate(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("name,mutate,path,rule", CASES, ids=[c[0] for c in CASES])
def test_corruption_is_reported_precisely(catalog_copy, name, mutate, path, rule, capsys):
    edited = _edit(catalog_copy, TARGET, mutate)
    problems = validate_dir(catalog_copy).problems
    matching = [p for p in problems if p.rule == rule and p.path == path]
    assert matching, f"expected {rule} at {path}, got: {[str(p) for p in problems]}"
    problem = matching[0]
    assert problem.file == str(edited) and problem.code == CODE
    line = str(problem)
    assert TARGET in line and CODE in line and path in line and rule in line
    # The CLI prints the same line and fails.
    assert main(["items", "validate", str(catalog_copy)]) == 1
    assert line in capsys.readouterr().err


def test_load_catalog_refuses_a_broken_catalog(catalog_copy):
    _edit(catalog_copy, TARGET, _set(["situations"], []))
    with pytest.raises(ItemConfigError) as info:
        load_catalog(catalog_copy)
    assert any(TARGET in p and "schema.minItems" in p for p in info.value.problems)


def test_duplicate_code_names_both_files(catalog_copy):
    source = json.loads((catalog_copy / TARGET).read_text(encoding="utf-8"))
    _edit(catalog_copy, "housing_fund_certificate.json", _set(["code"], source["code"]))
    problems = [p for p in validate_dir(catalog_copy).problems if p.rule == "duplicate_code"]
    assert len(problems) == 1 and problems[0].code == CODE and problems[0].path == "$.code"
    assert "housing_fund_certificate.json" in problems[0].file + problems[0].message
    assert TARGET in problems[0].file + problems[0].message


def test_invalid_json_is_reported(catalog_copy):
    (catalog_copy / TARGET).write_text("{ not json", encoding="utf-8")
    problems = validate_dir(catalog_copy).problems
    bad = [p for p in problems if p.rule == "invalid_json"]
    assert len(bad) == 1 and bad[0].file.endswith(TARGET) and "line 1" in bad[0].message
    # the life event that uses this item now points at nothing: reported, not crashed
    assert {p.rule for p in problems} == {"invalid_json", "unknown_item"}


def test_life_event_with_unknown_item_and_identity(catalog_copy):
    path = catalog_copy / "life_events" / "retirement.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["members"][1]["item"] = "99999999999999"
    doc["shared_identity"]["methods"].append("agent")  # 正常退休 does not allow 代办
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    problems = validate_dir(catalog_copy).problems
    rules = {(p.code, p.path, p.rule) for p in problems}
    assert ("YJS000002", "$.members[1].item", "unknown_item") in rules
    assert ("YJS000002", "$.members[0].item", "identity_not_allowed") in rules
    doc["shared_materials"][0]["maps_to"]["retire"] = "no_such_material"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    rules = {(p.code, p.path, p.rule) for p in validate_dir(catalog_copy).problems}
    assert ("YJS000002", "$.shared_materials[0].maps_to.retire", "dangling_reference") in rules
    # shared field mapped to the now-unknown member item is not double-reported as a crash
    assert all(p.file == str(path) for p in problems)


def test_every_problem_is_collected_in_one_run(catalog_copy):
    _edit(catalog_copy, TARGET, _set(["fields", 0, "prefill"], "nope.nope"))
    _edit(catalog_copy, "no_criminal_record.json", _set(["materials", 0, "elicense"], "passport_x"))
    rules = {p.rule for p in validate_dir(catalog_copy).problems}
    assert {"unknown_prefill_source", "unknown_elicense_type"} <= rules


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, prefix + (i,))
    return out


def test_random_corruptions_never_crash_the_checker():
    """Bad input → problems, never a traceback: 120 seeded random edits of real documents."""
    import random

    from kiosk.items.loader import check_document
    from kiosk.items.semantic import template_names

    rng = random.Random(20261126)
    templates = template_names(CATALOG / "templates")
    sources = [(p, "item") for p in sorted(CATALOG.glob("*.json"))]
    sources += [(p, "life_event") for p in sorted((CATALOG / "life_events").glob("*.json"))]
    originals = {p: json.loads(p.read_text(encoding="utf-8")) for p, _ in sources}
    items = {d["code"]: d for p, k in sources if k == "item" for d in [originals[p]]}
    found = 0
    for _ in range(120):
        path, kind = rng.choice(sources)
        doc = json.loads(json.dumps(originals[path]))
        where = rng.choice(_paths(doc))
        node = doc
        for key in where[:-1]:
            node = node[key]
        replacement = rng.choice([None, "zz", 5, [], {}, "DELETE"])
        if replacement == "DELETE":
            del node[where[-1]]
        else:
            node[where[-1]] = replacement
        problems = check_document(doc, kind, str(path), templates, items)
        found += bool(problems)
        assert all(p.rule and p.path.startswith("$") for p in problems)
    assert found > 60  # most random edits are real errors, and they are reported
