"""Semantic checks that every fact an item states says where it comes from, or that it is unknown.

Why: a catalog that fills a statutory limit or a fee from memory misleads a citizen more than one
that says "以办事指南为准". So each item carries ``provenance.facts`` (code, basis, time limits,
fees, 即办) and every gap in the data (an ``unknown`` limit, a fee of unknown amount, a basis
without articles) must be named in the matching fact's ``unknown`` list. A review point that
rejects under a basis whose articles are known must cite one of those articles, not a generic line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.items import codes

Report = Callable[[str, str, str], None]
FACTS = ("code", "basis", "time_limits", "fees", "immediate_decision")
_SOURCED = ("official", "repost", "third_party", "statute_recalled")


def check(doc: dict[str, Any], report: Report) -> None:
    _check_code(doc, report)
    facts = doc.get("provenance", {}).get("facts")
    if facts is None:
        report("$.provenance.facts", "provenance_missing", "every item must say where its code, basis, time limits, fees and 即办 come from")
    else:
        for key in FACTS:
            if key not in facts:
                report(f"$.provenance.facts.{key}", "provenance_missing", f"no provenance for {key} (use status 'unknown' if not found)")
        for key, fact in facts.items():
            if fact["status"] in _SOURCED and not fact["sources"]:
                report(f"$.provenance.facts.{key}.sources", "provenance_without_source", f"status {fact['status']!r} needs at least one source")
        _check_gaps(doc, facts, report)
    _check_immediate(doc, report)
    _check_clauses(doc, report)


def _check_code(doc: dict[str, Any], report: Report) -> None:
    _, faults = codes.parse(doc["code"], doc["basic_code"])
    for rule, message in faults:
        report("$.code", rule, message)
    fact = doc.get("provenance", {}).get("facts", {}).get("code")
    if fact is None:
        return
    if doc["code_status"] == "verified" and fact["status"] not in ("official", "repost"):
        report("$.provenance.facts.code.status", "code_provenance_mismatch", "a verified code needs an official or reposted source")
    if doc["code_status"] in ("synthetic", "placeholder") and fact["status"] != "synthetic":
        report("$.provenance.facts.code.status", "code_provenance_mismatch", "a made-up code must be marked 'synthetic'")


def _check_gaps(doc: dict[str, Any], facts: dict[str, Any], report: Report) -> None:
    def unknown(key: str) -> set[str]:
        return set(facts.get(key, {}).get("unknown", [])) | ({"*"} if facts.get(key, {}).get("status") == "unknown" else set())

    for key in ("statutory", "promised"):
        if doc["time_limits"][key]["kind"] == "unknown" and not unknown("time_limits") & {key, "*"}:
            report(f"$.time_limits.{key}", "unknown_without_provenance",
                   f"{key} time limit is unknown: name it in provenance.facts.time_limits.unknown")
    fees = doc["fees"]
    open_fees = [f["name"] for f in fees.get("items", []) if f.get("amount_yuan") is None]
    if (fees["free"] is None or open_fees) and not unknown("fees"):
        report("$.fees", "unknown_without_provenance", "a fee is not known: say which in provenance.facts.fees.unknown")
    if fees["free"] is False and not fees.get("items"):
        report("$.fees.items", "fee_without_amount", "a charged item must list its fees (amount or null + provenance)")
    for i, basis in enumerate(doc["basis"]):
        if basis.get("kind") != "guide" and not basis.get("articles") and not unknown("basis") & {basis["id"], "*"}:
            report(f"$.basis[{i}].articles", "unknown_without_provenance",
                   f"basis {basis['id']!r} cites no article: name it in provenance.facts.basis.unknown")
    situations = {s["id"] for s in doc["situations"]}
    for i, fee in enumerate(fees.get("items", [])):
        if "situation" in fee and fee["situation"] not in situations:
            report(f"$.fees.items[{i}].situation", "dangling_reference", f"situation {fee['situation']!r} is not defined")


def _check_immediate(doc: dict[str, Any], report: Report) -> None:
    decision = doc.get("immediate_decision")
    if decision is None:
        report("$.immediate_decision", "immediate_decision_missing", "say whether the item may be decided on the spot (即办件) and why")
        return
    ref = decision.get("basis_ref")
    if ref is not None and ref not in {b["id"] for b in doc["basis"]}:
        report("$.immediate_decision.basis_ref", "dangling_basis", f"basis {ref!r} is not in basis[]")
    if decision["allowed"] and doc["time_limits"]["promised"]["kind"] != "immediate":
        report("$.immediate_decision.allowed", "immediate_with_review_period",
               "即办 allowed but the promised time limit is not 'immediate'")


def _check_clauses(doc: dict[str, Any], report: Report) -> None:
    articles = {b["id"]: tuple(b.get("articles", ())) for b in doc["basis"]}
    for i, mat in enumerate(doc["materials"]):
        for j, point in enumerate(mat.get("review_points", [])):
            rejection = point["rejection"]
            known = articles.get(rejection.get("basis_ref", ""), ())
            clause = rejection.get("clause", "")
            if known and not any(clause.startswith(a) for a in known):
                report(f"$.materials[{i}].review_points[{j}].rejection.clause", "generic_clause",
                       f"basis {rejection['basis_ref']!r} has articles {list(known)}: cite one of them, not {clause!r}")
