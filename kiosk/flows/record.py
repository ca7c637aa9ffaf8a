"""FlowRecord: everything one application flow has gathered, as a checkpointable plain object.

Why separate from the controller: the controller decides what happens next; the record is what a
crash must not lose. ``to_payload`` is what ``FlowMachine`` seals into its checkpoint;
``from_payload`` is what recovery reads back. File paths point into the session's private dir.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.flows.identify import Identity
from kiosk.flows.materials import Provided


@dataclass
class FlowRecord:
    code: str
    agent: bool = False
    identity: Identity | None = None
    principal: dict[str, str] = field(default_factory=dict)  # 代办: the person the application is for
    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    prefilled: list[str] = field(default_factory=list)
    provided: dict[str, Provided] = field(default_factory=dict)
    signature: str = ""  # path of the signature PNG
    mode: str = ""
    delivery: str = ""
    submit_started_at: float = 0.0
    entries: list[dict[str, str]] = field(default_factory=list)  # {member, entry_id, receipt}
    receipt_printed: bool = False
    result_printed: bool = False
    evaluated: bool = False

    @property
    def identity_kind(self) -> str | None:
        if self.agent:
            return "agent"
        return self.identity.method if self.identity else None

    def to_payload(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k not in ("identity", "provided")}
        data["identity"] = self.identity.to_checkpoint() if self.identity else None
        data["provided"] = {k: p.to_dict() for k, p in self.provided.items()}
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> FlowRecord:
        data = dict(data)
        identity = Identity.from_checkpoint(data.pop("identity")) if data.get("identity") else None
        data.pop("identity", None)
        provided = {k: Provided(**v) for k, v in data.pop("provided", {}).items()}
        return cls(identity=identity, provided=provided, **data)

    def forget(self) -> None:
        """Drop every personal value from memory (the session wipe removes the files)."""
        self.identity = None
        self.principal, self.answers, self.values, self.provided = {}, {}, {}, {}
        self.prefilled, self.signature = [], ""

    def reference(self) -> str:
        """The citizen's receipt number: the first outbox receipt (one receipt for a life_event)."""
        return self.entries[0]["receipt"] if self.entries else ""
