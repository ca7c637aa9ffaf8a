"""Typed answers of the platform API (the contract's response schemas, as pydantic models).

Models ignore unknown fields so a newer platform can add fields without breaking old terminals.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

HandlingMode = Literal["online", "remote_proxy", "multi_site", "instant", "self_service"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Registration(_Model):
    terminal_id: str
    registered_at: int
    server_time: int
    replay_window_s: int


class Command(_Model):
    command_id: str
    type: str
    args: dict[str, Any]
    issued_at: int


#: The contract's command id (HeartbeatRequest.acked_commands): an id outside it could never be acknowledged.
COMMAND_ID_PATTERN = r"^cmd_[A-Za-z0-9_-]{4,64}$"


class RefusedCommand(_Model):
    """A command the terminal cannot parse: acknowledged as refused (``refused_commands``), never run."""

    command_id: str
    reason: str


def _refusal(raw: object) -> RefusedCommand | None:
    if not isinstance(raw, dict):
        return RefusedCommand(command_id="", reason="command is not an object")
    command_id = raw.get("command_id")
    if not isinstance(command_id, str) or not re.match(COMMAND_ID_PATTERN, command_id):
        return RefusedCommand(command_id=str(command_id)[:200], reason="command_id outside the contract's pattern")
    try:
        Command.model_validate(raw)
    except ValueError as exc:
        return RefusedCommand(command_id=command_id, reason=f"command does not match the contract: {str(exc).splitlines()[0][:150]}")
    return None


class AuditHeadAck(_Model):
    """The audit head the platform holds for this terminal (kiosk.store.audit_keys keeps it as an anchor)."""

    seq: int
    mac: str


class HeartbeatReply(_Model):
    server_time: int
    config_version: str
    commands: list[Command]
    refused: list[RefusedCommand] = []  # the reply's commands the terminal cannot parse, split off so one bad command wedges nothing
    audit_head_ack: AuditHeadAck | None = None

    @model_validator(mode="before")
    @classmethod
    def _split_unparsable(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("commands"), list):
            refused = [(raw, _refusal(raw)) for raw in data["commands"]]
            data = {**data, "commands": [raw for raw, why in refused if why is None],
                    "refused": [why.model_dump() for _, why in refused if why is not None]}
        return data


class ConfigVersion(_Model):
    version: str
    bundle: str | None
    url: str | None
    sha256: str | None
    size: int | None


class ItemSummary(_Model):
    code: str
    name: str
    department: str
    category: str
    modes: list[HandlingMode]


class ItemList(_Model):
    items: list[ItemSummary]
    total: int


class ItemDetail(ItemSummary):
    guide: dict[str, Any]


class PersonIdentity(_Model):
    person_token: str
    expires_at: int
    method: str
    name_masked: str
    id_number_masked: str
    similarity: float | None


class SharedData(_Model):
    data: dict[str, Any]
    sources: dict[str, str]


class LicenseSummary(_Model):
    license_id: str
    type_code: str
    name: str
    issuer: str
    issued_on: str
    valid_until: str | None


class License(LicenseSummary):
    fields: dict[str, str]
    verification_code: str
    sha256: str


class MaterialReceipt(_Model):
    sha256: str
    size: int
    media_type: str


class ResultDocument(_Model):
    document_id: str
    title: str
    issuer: str
    issued_at: int
    verification_code: str
    fields: dict[str, str]


class SubmitResult(_Model):
    case_id: str
    status: str
    accepted_at: int
    mode: HandlingMode
    terminal_receipt: str
    replayed: bool
    result_document: ResultDocument | None


class CaseEvent(_Model):
    status: str
    label: str
    at: int
    district: str | None


class Case(_Model):
    case_id: str
    item_code: str
    item_name: str
    mode: HandlingMode
    status: Literal["accepted", "transferred", "reviewing", "completed"]
    status_label: str
    receiving_district: str
    handling_district: str
    accepted_at: int
    completed_at: int | None
    terminal_receipt: str
    history: list[CaseEvent]
    result_document: ResultDocument | None


class Evaluation(_Model):
    evaluation_id: str
    score: int
    level: str
    case_id: str | None
    rectification_required: bool


class Location(_Model):
    lat: float
    lon: float


class Centre(_Model):
    centre_id: str
    name: str
    level: str
    district_code: str
    district_name: str
    address: str
    location: Location
    hours: str
    phone: str
    items: list[str]
    queue_length: int
    distance_km: float | None


class NearbyTerminal(_Model):
    """A terminal in service near this one (where to send a citizen when this one cannot identify anyone)."""

    terminal_id: str
    centre_id: str
    centre_name: str
    address: str
    hours: str
    distance_km: float | None


class Slot(_Model):
    start: int
    end: int
    available: int


class Appointment(_Model):
    appointment_id: str
    centre_id: str
    centre_name: str
    address: str
    item_code: str
    slot_start: int
    check_in_code: str


class QueueTicket(_Model):
    ticket_no: str
    centre_id: str
    centre_name: str
    waiting_ahead: int
    estimated_wait_min: int
    issued_at: int


class District(_Model):
    code: str
    name: str
    kind: str


class KnowledgeHit(_Model):
    id: str
    question: str
    answer: str
    item_code: str | None
    score: float


class Complaint(_Model):
    complaint_id: str
    status: str
    reply_deadline: str
    hotline: str


class HelpTicket(_Model):
    request_id: str
    status: str
    estimated_wait_s: int
    agent_name: str | None


class Handover(_Model):
    handover_id: str
    url: str
    item_code: str
    expires_at: int


class HandoverClaim(_Model):
    item_code: str
    item_name: str
    step: str
    draft: dict[str, Any]
    name_masked: str
    expires_at: int
