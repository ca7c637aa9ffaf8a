"""The form step: which fields a situation needs, their prefill, validation, and their view-models.

Prefill sources (``kiosk.items.vocab.PREFILL_SOURCES``) resolve against the session: the ID card
or identity (``idcard.*``, ``sscard.*``, ``ykm.*``), the agent in 代办 (``agent.*``), the platform's
shared data (``shared.*``, ``platform.*``), and the terminal. A prefilled value stays editable only
if the item says so; unknown sources leave the field for the citizen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from kiosk.flows.identify import Identity
from kiosk.flows.validation import field_error
from kiosk.flows.viewmodels import FieldVM, KeyboardKind, Option
from kiosk.items.conditions import ConditionContext
from kiosk.items.model import FormField

_SHARED = {"phone": "phone", "address": "residence_address", "postal_address": "residence_address",
           "residence_address": "residence_address", "marital_status": "marital_status", "work_unit": "employer"}
_PLATFORM = {"household_address": "household_address", "employer": "employer"}
_KEYBOARD: dict[str, KeyboardKind] = {
    "id_number": "id_number", "phone": "digits", "number": "digits", "money": "digits", "bank_account": "digits", "date": "digits",
}


def district_of(address: str, districts: Mapping[str, str]) -> str:
    """The district code whose name appears in an address (重庆市渝北区… → 500112); '' if none."""
    for code, name in districts.items():
        if name and name in address:
            return code
    return ""


def applicant_districts(identity: Identity | None, principal: Mapping[str, str] | None, districts: Mapping[str, str],
                        values: Mapping[str, str]) -> dict[str, str]:
    """household/residence/insured/… → district code, for jurisdiction routing."""
    shared = identity.shared if identity else {}
    person = principal or (identity.person if identity else {})
    household = district_of(str(shared.get("household_address") or person.get("address", "")), districts) if not principal else \
        district_of(person.get("address", ""), districts)
    residence = district_of(str(shared.get("residence_address") or ""), districts) if not principal else household
    out = {"household": values.get("household_district") or household, "residence": values.get("residence_district") or residence or household}
    for key in ("insured", "property", "business_premises", "workplace"):
        out[key] = values.get(f"{key}_district") or out["residence"] or out["household"]
    return {k: v for k, v in out.items() if v}


def prefill_value(source: str, identity: Identity | None, principal: Mapping[str, str] | None, districts: Mapping[str, str],
                  terminal_district: str, shared_values: Mapping[str, str]) -> str:
    origin, _, key = source.partition(".")
    applicant = dict(principal) if principal else (identity.person if identity else {})
    shared = identity.shared if identity and not principal else {}
    if origin in ("idcard", "sscard", "ykm"):
        if key == "phone":
            return str(shared.get("phone") or "")
        if key in ("social_security_number",):
            return applicant.get("id_number", "")
        return str(applicant.get(key, ""))
    if origin == "agent":
        return str((identity.person if identity and principal else {}).get(key, "")) or (
            str(identity.shared.get("phone", "")) if identity and principal and key == "phone" else ""
        )
    if origin == "shared":
        if key in shared_values:
            return shared_values[key]
        if key in ("household_district", "residence_district"):
            addresses = [
                str(shared.get("residence_address" if key.startswith("residence") else "household_address") or ""),
                applicant.get("address", ""),
            ]
            return next((d for d in (district_of(a, districts) for a in addresses) if d), "")
        return str(shared.get(_SHARED.get(key, key), "") or "")
    if origin == "platform":
        return str(shared.get(_PLATFORM.get(key, key), "") or "")
    if source == "terminal.district":
        return terminal_district
    if source == "session.today":
        return dt.date.today().isoformat()
    return ""


def required(spec: FormField, ctx: ConditionContext) -> bool:
    return spec.required_when.evaluate(ctx) if spec.required_when is not None else spec.required


def district_options(districts: Mapping[str, str]) -> tuple[Option, ...]:
    return tuple(Option(code, name) for code, name in sorted(districts.items()))


def field_vm(spec: FormField, value: str, prefilled: bool, error: str, is_required: bool, districts: Mapping[str, str]) -> FieldVM:
    options = tuple(Option(o.value, o.label) for o in spec.options)
    if spec.type == "district" and not options:
        options = district_options(districts)
    if spec.type == "checkbox" and not options:
        options = (Option("true", "是"), Option("false", "否"))
    editable = spec.editable or not prefilled
    return FieldVM(
        spec.id, spec.label, spec.type, value, prefilled, editable, error, is_required, options, _KEYBOARD.get(spec.type, "pinyin"), spec.hint or ""
    )


def validate(specs: tuple[FormField, ...], values: Mapping[str, str], ctx: ConditionContext, districts: Mapping[str, str]) -> dict[str, str]:
    """field id → error for every invalid field (empty dict: the form is complete)."""
    errors: dict[str, str] = {}
    for spec in specs:
        value = values.get(spec.id, "")
        if spec.type == "district" and not spec.options and value and value not in districts:
            errors[spec.id] = f"请从列表中选择{spec.label}"
            continue
        if spec.type == "checkbox":
            if required(spec, ctx) and value not in ("true", "false"):
                errors[spec.id] = f"请选择{spec.label}"
            continue
        error = field_error(spec, value, required(spec, ctx))
        if error:
            errors[spec.id] = error
    return errors


def form_payload(specs: tuple[FormField, ...], values: Mapping[str, str]) -> dict[str, Any]:
    """The application's ``form`` object: typed scalars as the platform contract wants them."""
    out: dict[str, Any] = {}
    for spec in specs:
        value = values.get(spec.id, "")
        if value == "":
            continue
        if spec.type == "checkbox":
            out[spec.id] = value == "true"
        elif spec.type in ("number", "money") and re.fullmatch(r"-?\d+(\.\d+)?", value):
            out[spec.id] = float(value) if "." in value else int(value)
        else:
            out[spec.id] = value
    return out
