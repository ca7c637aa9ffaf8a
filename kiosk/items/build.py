"""Turn validated JSON documents into frozen model objects (no checks here: the loader did them)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from kiosk.items import model as m
from kiosk.items.eligibility import parse_rules


def _limit(doc: dict[str, Any]) -> m.TimeLimit:
    return m.TimeLimit(kind=doc["kind"], value=doc.get("value"), extended_max=doc.get("extended_max"),
                       basis_ref=doc.get("basis_ref"), note=doc.get("note"))


def _field(doc: dict[str, Any]) -> m.FormField:
    return m.FormField(
        id=doc["id"], label=doc["label"], type=doc["type"], required=doc.get("required", True),
        required_when=m.Condition.parse(doc.get("required_when")), pattern=doc.get("pattern"),
        min=doc.get("min"), max=doc.get("max"), min_length=doc.get("min_length"),
        max_length=doc.get("max_length"), not_future=doc.get("not_future", False),
        options=tuple(m.SelectOption(o["value"], o["label"]) for o in doc.get("options", [])),
        prefill=doc.get("prefill"), editable=doc.get("editable", True), personal=doc.get("personal", False),
        hint=doc.get("hint"),
    )


def _review_point(doc: dict[str, Any]) -> m.ReviewPoint:
    check = doc["check"]
    rej = doc["rejection"]
    return m.ReviewPoint(
        id=doc["id"], description=doc["description"],
        check=m.Check(kind=check["kind"], value=check.get("value"), fields=tuple(check.get("fields", []))),
        rejection=m.Rejection(message=rej["message"], basis_ref=rej["basis_ref"], clause=rej.get("clause")),
    )


def _material(doc: dict[str, Any]) -> m.Material:
    return m.Material(
        id=doc["id"], name=doc["name"], originals=doc["originals"], copies=doc["copies"],
        capture=tuple(doc["capture"]), description=doc.get("description"), form=doc.get("form"),
        required=doc.get("required", True), required_when=m.Condition.parse(doc.get("required_when")),
        elicense=doc.get("elicense"), blank_form=doc.get("blank_form"),
        review_points=tuple(_review_point(r) for r in doc.get("review_points", [])),
        holder=doc.get("holder"),
    )


def item(doc: dict[str, Any], source_file: str) -> m.Item:
    jur = doc["jurisdiction"]
    ident = doc["identity"]
    agent = ident.get("agent")
    return m.Item(
        code=doc["code"], basic_code=doc["basic_code"], code_status=doc["code_status"], name=doc["name"],
        department=doc["department"], category=doc["category"], item_type=doc["item_type"],
        handling_modes=tuple(doc["handling_modes"]),
        jurisdiction=m.Jurisdiction(
            acceptance=jur["acceptance"], handling_district=jur["handling_district"],
            accept_in=tuple(jur.get("accept_in", [])), district_source=jur.get("district_source"),
            tongban=tuple(jur.get("tongban", [])), note=jur.get("note")),
        conditions=tuple(doc["conditions"]),
        basis=tuple(m.Basis(id=b["id"], title=b["title"], document_number=b.get("document_number"),
                            articles=tuple(b.get("articles", [])), kind=b.get("kind"), note=b.get("note"))
                    for b in doc["basis"]),
        time_limits=m.TimeLimits(statutory=_limit(doc["time_limits"]["statutory"]),
                                 promised=_limit(doc["time_limits"]["promised"])),
        fees=m.Fees(free=doc["fees"]["free"], note=doc["fees"].get("note"),
                    items=tuple(m.Fee(f["name"], f.get("amount_yuan"), f.get("note"), f.get("situation"))
                                for f in doc["fees"].get("items", []))),
        identity=m.Identity(
            methods=tuple(ident["methods"]), min_age=ident.get("min_age"),
            agent=m.AgentRule(agent["authorization_material"], tuple(agent.get("principal_fields", [])),
                              agent.get("note")) if agent else None),
        start_question=doc["start_question"],
        questions=tuple(
            m.GuideQuestion(id=q["id"], text=q["text"], help=q.get("help"),
                            options=tuple(m.GuideOption(o["id"], o["label"], o.get("next"), o.get("situation"))
                                          for o in q["options"]))
            for q in doc["questions"]),
        situations=tuple(
            m.Situation(id=s["id"], name=s["name"], fields=tuple(s["fields"]), materials=tuple(s["materials"]),
                        description=s.get("description"), conditions=tuple(s.get("conditions", [])),
                        handling_modes=tuple(s.get("handling_modes", doc["handling_modes"])),
                        time_limits=MappingProxyType({k: _limit(v) for k, v in s.get("time_limits", {}).items()}),
                        kiosk_supported=s.get("kiosk_supported", True))
            for s in doc["situations"]),
        fields=tuple(_field(f) for f in doc["fields"]),
        materials=tuple(_material(x) for x in doc["materials"]),
        signature=m.Signature(required=doc["signature"]["required"],
                              signers=tuple(doc["signature"].get("signers", [])),
                              statement=doc["signature"].get("statement")),
        delivery=tuple(m.Delivery(d["method"], d.get("fee_yuan"), d.get("note")) for d in doc["delivery"]),
        templates=m.Templates(receipt=doc["templates"]["receipt"], notice=doc["templates"]["notice"],
                              certificate=doc["templates"].get("certificate")),
        source_file=source_file, short_name=doc.get("short_name"), aliases=tuple(doc.get("aliases", [])),
        implementation_code=doc.get("implementation_code"), handling_body=doc.get("handling_body"),
        immediate_decision=_immediate(doc.get("immediate_decision")),
        eligibility=parse_rules(doc.get("eligibility", [])),
        provenance=MappingProxyType({k: m.FactSource(v["status"], tuple(v["sources"]), v.get("checked"), tuple(v.get("unknown", [])),
                                                     v.get("note"))
                                     for k, v in doc.get("provenance", {}).get("facts", {}).items()}),
    )


def _immediate(doc: dict[str, Any] | None) -> m.ImmediateDecision:
    if doc is None:
        return m.ImmediateDecision(False, "未标注：按承诺件受理")
    return m.ImmediateDecision(doc["allowed"], doc["basis"], doc.get("basis_ref"), tuple(doc.get("conditions", [])))


def life_event(doc: dict[str, Any], source_file: str) -> m.LifeEvent:
    return m.LifeEvent(
        code=doc["code"], name=doc["name"], category=doc["category"], department=doc["department"],
        members=tuple(m.LifeEventMember(id=x["id"], item=x["item"], situation=x.get("situation"),
                                     optional=x.get("optional", False), depends_on=tuple(x.get("depends_on", [])),
                                     note=x.get("note")) for x in doc["members"]),
        identity_methods=tuple(doc["shared_identity"]["methods"]),
        shared_fields=tuple(m.SharedField(id=f["id"], label=f["label"], type=f["type"],
                                          maps_to=MappingProxyType(dict(f["maps_to"])), prefill=f.get("prefill"))
                            for f in doc["shared_fields"]),
        receipt_template=doc["receipt_template"], notice_template=doc["notice_template"],
        shared_materials=tuple(m.SharedMaterial(id=x["id"], name=x["name"], maps_to=MappingProxyType(dict(x["maps_to"])))
                               for x in doc.get("shared_materials", [])),
        conditions=tuple(doc.get("conditions", [])), description=doc.get("description"), source_file=source_file,
    )
