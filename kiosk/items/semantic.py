"""Checks the JSON Schema cannot express: references, uniqueness, closed vocabularies, regexes.

Runs only on documents that already passed the schema, so the shapes are known. Each function
appends ``Problem``s instead of raising: a technician wants every finding in one run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kiosk.items import licences, provenance
from kiosk.items.problems import Problem
from kiosk.items.vocab import ELICENSE_TYPES, PREFILL_SOURCES

Report = Callable[[str, str, str], None]  # (path, rule, message)


Templates = Mapping[str, str]  # template name → kind (receipt / notice / certificate / form)
_TEMPLATE_KIND = {"receipt": "receipt", "notice": "notice", "certificate": "certificate", "blank_form": "form",
                  "receipt_template": "receipt", "notice_template": "notice"}


def _template(name: str, key: str, templates: Templates, path: str, report: Report) -> None:
    if name not in templates:
        report(path, "unknown_template", f"template {name!r} not found in templates/")
    elif templates[name] != _TEMPLATE_KIND[key]:
        report(path, "template_kind_mismatch", f"template {name!r} is a {templates[name]}, {key} needs a {_TEMPLATE_KIND[key]}")


def check_item(doc: dict[str, Any], file: str, templates: Templates) -> list[Problem]:
    problems: list[Problem] = []
    code = str(doc.get("code", "?"))

    def report(path: str, rule: str, message: str) -> None:
        problems.append(Problem(file, code, path, rule, message))

    ids = {name: _unique(doc[name], f"$.{name}", report)
           for name in ("questions", "situations", "fields", "materials", "basis")}
    _check_guide(doc, ids, report)
    for i, sit in enumerate(doc["situations"]):
        base = f"$.situations[{i}]"
        for j, fid in enumerate(sit["fields"]):
            _ref(fid, ids["fields"], f"{base}.fields[{j}]", "field", report)
        for j, mid in enumerate(sit["materials"]):
            _ref(mid, ids["materials"], f"{base}.materials[{j}]", "material", report)
        for mode in sit.get("handling_modes", []):
            if mode not in doc["handling_modes"]:
                report(f"{base}.handling_modes", "mode_not_allowed",
                       f"situation mode {mode!r} is not in the item's handling_modes")
        for key, limit in sit.get("time_limits", {}).items():
            _basis_ref(limit.get("basis_ref"), ids["basis"], f"{base}.time_limits.{key}.basis_ref", report)
    for i, fld in enumerate(doc["fields"]):
        _check_field(fld, f"$.fields[{i}]", doc, ids, report)
    for i, mat in enumerate(doc["materials"]):
        _check_material(mat, f"$.materials[{i}]", doc, ids, templates, report)
    for key in ("statutory", "promised"):
        _basis_ref(doc["time_limits"][key].get("basis_ref"), ids["basis"], f"$.time_limits.{key}.basis_ref", report)
    _check_identity(doc, ids, report)
    for i, rule in enumerate(doc.get("eligibility", [])):
        _basis_ref(rule["basis_ref"], ids["basis"], f"$.eligibility[{i}].basis_ref", report)
        _check_condition(rule.get("when"), f"$.eligibility[{i}].when", doc, ids, report)
    jur = doc["jurisdiction"]
    if jur["acceptance"] == "restricted" and not jur.get("accept_in"):
        report("$.jurisdiction.accept_in", "restricted_without_districts",
               "acceptance 'restricted' needs accept_in (which districts may accept)")
    if "district_source" in jur and jur["district_source"] not in PREFILL_SOURCES:
        report("$.jurisdiction.district_source", "unknown_prefill_source",
               f"{jur['district_source']!r} is not a known shared-data source")
    for key, name in doc["templates"].items():
        if name is not None:
            _template(name, key, templates, f"$.templates.{key}", report)
    provenance.check(doc, report)
    return problems


def _unique(entries: list[dict[str, Any]], path: str, report: Report) -> set[str]:
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if entry["id"] in seen:
            report(f"{path}[{i}].id", "duplicate_id", f"id {entry['id']!r} is used twice")
        seen.add(entry["id"])
    return seen


def _ref(value: str, known: set[str], path: str, what: str, report: Report) -> None:
    if value not in known:
        report(path, "dangling_reference", f"{what} {value!r} is not defined in this item")


def _basis_ref(value: str | None, known: set[str], path: str, report: Report) -> None:
    if value is not None and value not in known:
        report(path, "dangling_basis", f"basis {value!r} is not in basis[]")


def _check_guide(doc: dict[str, Any], ids: dict[str, set[str]], report: Report) -> None:
    questions = {q["id"]: q for q in doc["questions"]}
    _ref(doc["start_question"], ids["questions"], "$.start_question", "question", report)
    reached_q: set[str] = set()
    reached_s: set[str] = set()
    for i, q in enumerate(doc["questions"]):
        _unique(q["options"], f"$.questions[{i}].options", report)
        for j, opt in enumerate(q["options"]):
            base = f"$.questions[{i}].options[{j}]"
            if "next" in opt:
                _ref(opt["next"], ids["questions"], f"{base}.next", "question", report)
            else:
                _ref(opt["situation"], ids["situations"], f"{base}.situation", "situation", report)
    # Walk from the start: detects cycles and what can never be reached.
    stack: list[tuple[str, tuple[str, ...]]] = [(doc["start_question"], ())]
    while stack:
        qid, trail = stack.pop()
        if qid in trail:
            report("$.questions", "guide_cycle", f"question {qid!r} leads back to itself")
            continue
        if qid not in questions:
            continue
        reached_q.add(qid)
        for opt in questions[qid]["options"]:
            if "next" in opt:
                stack.append((opt["next"], trail + (qid,)))
            else:
                reached_s.add(opt["situation"])
    for i, q in enumerate(doc["questions"]):
        if q["id"] not in reached_q:
            report(f"$.questions[{i}]", "unreachable_question", f"question {q['id']!r} is never asked")
    for i, s in enumerate(doc["situations"]):
        if s["id"] not in reached_s:
            report(f"$.situations[{i}]", "unreachable_situation", f"no guide answer leads to situation {s['id']!r}")


def _check_condition(cond: dict[str, Any] | None, path: str, doc: dict[str, Any],
                     ids: dict[str, set[str]], report: Report) -> None:
    if cond is None:
        return
    ((op, arg),) = cond.items()
    if op in ("all", "any"):
        for i, sub in enumerate(arg):
            _check_condition(sub, f"{path}.{op}[{i}]", doc, ids, report)
    elif op == "not":
        _check_condition(arg, f"{path}.not", doc, ids, report)
    elif op == "answer":
        q = next((q for q in doc["questions"] if q["id"] == arg["question"]), None)
        if q is None:
            report(f"{path}.answer.question", "dangling_reference", f"question {arg['question']!r} is not defined")
            return
        options = {o["id"] for o in q["options"]}
        for value in arg["in"]:
            if value not in options:
                report(f"{path}.answer.in", "dangling_reference", f"question {q['id']!r} has no option {value!r}")
    elif op == "field":
        _ref(arg["id"], ids["fields"], f"{path}.field.id", "field", report)
    elif op == "identity":
        for method in arg:
            if method not in doc["identity"]["methods"]:
                report(f"{path}.identity", "identity_not_allowed", f"identity {method!r} is not allowed by this item")


def _check_field(fld: dict[str, Any], path: str, doc: dict[str, Any], ids: dict[str, set[str]], report: Report) -> None:
    if "pattern" in fld:
        try:
            re.compile(fld["pattern"])
        except re.error as exc:
            report(f"{path}.pattern", "bad_pattern", f"regular expression does not compile: {exc}")
    if "prefill" in fld and fld["prefill"] not in PREFILL_SOURCES:
        report(f"{path}.prefill", "unknown_prefill_source", f"{fld['prefill']!r} is not a known shared-data source")
    for lo, hi in (("min", "max"), ("min_length", "max_length")):
        if lo in fld and hi in fld and fld[lo] > fld[hi]:
            report(f"{path}.{lo}", "empty_range", f"{lo} {fld[lo]} > {hi} {fld[hi]}")
    if "options" in fld and fld["type"] not in ("select", "multiselect"):
        report(f"{path}.options", "options_on_non_select", f"type {fld['type']!r} does not take options")
    _check_condition(fld.get("required_when"), f"{path}.required_when", doc, ids, report)


def _check_material(mat: dict[str, Any], path: str, doc: dict[str, Any], ids: dict[str, set[str]],
                    templates: Templates, report: Report) -> None:
    lic = mat.get("elicense")
    if lic is not None and lic not in ELICENSE_TYPES:
        report(f"{path}.elicense", "unknown_elicense_type", f"{lic!r} is not a known 电子证照 type")
    elif lic is not None and not licences.fetchable(lic):
        report(f"{path}.elicense", "elicense_not_fetchable",
               f"{lic!r} has no platform licence type in the contract (kiosk/items/licences.py); it could never be fetched")
    if lic == "resident_id_card" and "holder" not in mat:
        report(f"{path}.holder", "id_holder_missing", "an ID card material must say whose it is (applicant / agent / other)")
    if lic is not None and "elicense" not in mat["capture"]:
        report(f"{path}.capture", "elicense_not_capturable", "an elicense type is set but 'elicense' is not a capture source")
    if lic is None and "elicense" in mat["capture"]:
        report(f"{path}.elicense", "elicense_type_missing", "capture allows 'elicense' but no elicense type is set")
    if mat.get("blank_form"):
        _template(mat["blank_form"], "blank_form", templates, f"{path}.blank_form", report)
    _check_condition(mat.get("required_when"), f"{path}.required_when", doc, ids, report)
    _unique(mat.get("review_points", []), f"{path}.review_points", report)
    pages = {rp["check"]["kind"]: rp["check"].get("value") for rp in mat.get("review_points", [])}
    if "min_pages" in pages and "max_pages" in pages and pages["min_pages"] > pages["max_pages"]:
        report(f"{path}.review_points", "empty_range", "min_pages > max_pages")
    for j, rp in enumerate(mat.get("review_points", [])):
        ref = rp["rejection"].get("basis_ref")
        rpath = f"{path}.review_points[{j}].rejection"
        if not ref:
            report(rpath, "rejection_without_basis", f"review point {rp['id']!r}: every rejection must cite a basis (否定必有依据)")
        else:
            _basis_ref(ref, ids["basis"], f"{rpath}.basis_ref", report)


def _check_identity(doc: dict[str, Any], ids: dict[str, set[str]], report: Report) -> None:
    ident = doc["identity"]
    if "agent" in ident["methods"] and "agent" not in ident:
        report("$.identity", "agent_without_authorization", "'agent' allowed but identity.agent (authorization material) missing")
        return
    if "agent" in ident:
        _ref(ident["agent"]["authorization_material"], ids["materials"],
             "$.identity.agent.authorization_material", "material", report)
        for j, fid in enumerate(ident["agent"].get("principal_fields", [])):
            _ref(fid, ids["fields"], f"$.identity.agent.principal_fields[{j}]", "field", report)


def check_life_event(doc: dict[str, Any], file: str, items: dict[str, dict[str, Any]], templates: Templates) -> list[Problem]:
    problems: list[Problem] = []
    code = str(doc.get("code", "?"))

    def report(path: str, rule: str, message: str) -> None:
        problems.append(Problem(file, code, path, rule, message))

    members: dict[str, dict[str, Any]] = {}
    for i, m in enumerate(doc["members"]):
        base = f"$.members[{i}]"
        if m["id"] in members:
            report(f"{base}.id", "duplicate_id", f"member id {m['id']!r} is used twice")
        for dep in m.get("depends_on", []):
            if dep not in members:
                report(f"{base}.depends_on", "dangling_reference", f"{dep!r} is not an earlier member")
        members[m["id"]] = m
        item = items.get(m["item"])
        if item is None:
            report(f"{base}.item", "unknown_item", f"no item with code {m['item']} in the catalog")
            continue
        if "situation" in m and m["situation"] not in {s["id"] for s in item["situations"]}:
            report(f"{base}.situation", "dangling_reference", f"item {m['item']} has no situation {m['situation']!r}")
        for method in doc["shared_identity"]["methods"]:
            if method not in item["identity"]["methods"]:
                report(f"{base}.item", "identity_not_allowed",
                       f"shared identity {method!r} is not allowed by item {m['item']}")
    for i, sf in enumerate(doc["shared_fields"]):
        if "prefill" in sf and sf["prefill"] not in PREFILL_SOURCES:
            report(f"$.shared_fields[{i}].prefill", "unknown_prefill_source", f"{sf['prefill']!r} is not a known source")
        for mid, fid in sf["maps_to"].items():
            path = f"$.shared_fields[{i}].maps_to.{mid}"
            if mid not in members:
                report(path, "dangling_reference", f"{mid!r} is not a member")
                continue
            item = items.get(members[mid]["item"])
            if item is not None and fid not in {f["id"] for f in item["fields"]}:
                report(path, "dangling_reference", f"item {item['code']} has no field {fid!r}")
    for i, sm in enumerate(doc.get("shared_materials", [])):
        for mid, mat in sm["maps_to"].items():
            path = f"$.shared_materials[{i}].maps_to.{mid}"
            if mid not in members:
                report(path, "dangling_reference", f"{mid!r} is not a member")
                continue
            item = items.get(members[mid]["item"])
            if item is not None and mat not in {m["id"] for m in item["materials"]}:
                report(path, "dangling_reference", f"item {item['code']} has no material {mat!r}")
    for key in ("receipt_template", "notice_template"):
        _template(doc[key], key, templates, f"$.{key}", report)
    return problems


def template_names(directory: Path) -> dict[str, str]:
    """Template name → kind for every readable template file (unreadable ones are left out)."""
    out: dict[str, str] = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(doc, dict):
            out[path.stem] = str(doc.get("kind", ""))
    return out
