"""PlatformClient: the only code that speaks HTTP to the 渝快办 platform (contract: kiosk/platform/openapi.json).

One instance per terminal, one long-lived ``httpx.AsyncClient`` (injectable: tests pass an
``httpx.MockTransport`` client or point it at the emulator). Answers are typed models; failures are
``PlatformUnavailable`` / ``PlatformRejected`` / ``PlatformAuthError``; ``status()`` is the link state.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, TypeVar

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ValidationError

from kiosk.errors import PlatformUnavailable
from kiosk.platform.signing import public_key_b64
from kiosk.terminal.events import EventBus
from kiosk.terminal.platform import models as m
from kiosk.terminal.platform.status import PlatformStatus
from kiosk.terminal.platform.transport import SignedTransport

T = TypeVar("T", bound=BaseModel)


def _parse(model: type[T], response: httpx.Response) -> T:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise PlatformUnavailable(f"platform answer breaks the contract ({model.__name__}): {exc.error_count()} error(s)") from None


class PlatformClient:
    """Typed calls of the terminal API. Registration happens on demand when the platform forgets us."""

    def __init__(self, base_url: str, terminal_id: str, key: Ed25519PrivateKey, *, district_code: str, enrollment_code: str,
                 hall: str = "", software_version: str = "0.1.0", http: httpx.AsyncClient | None = None,
                 bus: EventBus | None = None, timeout_s: float = 10.0, retries: int = 4,
                 backoff_base_s: float = 0.2, backoff_max_s: float = 5.0) -> None:
        self.transport = SignedTransport(base_url, terminal_id, key, http=http, bus=bus, timeout_s=timeout_s, retries=retries,
                                         backoff_base_s=backoff_base_s, backoff_max_s=backoff_max_s)
        self.transport.on_unregistered = self._reregister
        self.terminal_id = terminal_id
        self.district_code = district_code
        self.hall = hall
        self.enrollment_code = enrollment_code
        self.software_version = software_version

    def status(self) -> PlatformStatus:
        return self.transport.status()

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def _get(self, model: type[T], path: str, **params: Any) -> T:
        return _parse(model, await self.transport.request("GET", path, params=params))

    async def _post(self, model: type[T], path: str, body: dict[str, Any], **kw: Any) -> T:
        return _parse(model, await self.transport.request("POST", path, json_body=body, **kw))

    # ----- terminal ------------------------------------------------------------------------------
    async def register(self) -> m.Registration:
        body = {"terminal_id": self.terminal_id, "public_key": public_key_b64(self.transport.key), "enrollment_code": self.enrollment_code,
                "district_code": self.district_code, "hall": self.hall[:100] or "-", "software_version": self.software_version}
        return _parse(m.Registration, await self.transport.request("POST", "/v1/terminals/register", json_body=body, signed=False))

    async def _reregister(self) -> None:
        await self.register()

    async def ping(self) -> bool:
        await self.transport.request("GET", "/v1/ping", signed=False)
        return True

    async def heartbeat(self, report: dict[str, Any]) -> m.HeartbeatReply:
        return await self._post(m.HeartbeatReply, "/v1/terminals/heartbeat", report)

    async def current_config(self) -> m.ConfigVersion:
        return await self._get(m.ConfigVersion, "/v1/config/current")

    async def download_bundle(self, name: str, etag: str | None = None) -> tuple[bytes | None, str | None]:
        """(content, etag); content is None when the bundle is unchanged since ``etag`` (304)."""
        headers = {"If-None-Match": etag} if etag else None
        response = await self.transport.request("GET", f"/bundles/{name}", headers=headers, signed=False)
        if response.status_code == 304:
            return None, etag
        return response.content, response.headers.get("ETag")

    # ----- catalogue ----------------------------------------------------------------------------
    async def list_items(self, q: str | None = None, category: str | None = None, mode: str | None = None,
                         limit: int = 50, offset: int = 0) -> m.ItemList:
        return await self._get(m.ItemList, "/v1/items", q=q, category=category, mode=mode, limit=limit, offset=offset)

    async def get_item(self, item_code: str) -> m.ItemDetail:
        return await self._get(m.ItemDetail, f"/v1/items/{item_code}")

    async def list_districts(self) -> list[m.District]:
        response = await self.transport.request("GET", "/v1/districts")
        return [m.District.model_validate(d) for d in response.json()["districts"]]

    async def list_centres(self, district_code: str | None = None, item_code: str | None = None, lat: float | None = None, lon: float | None = None,
                           limit: int = 20) -> list[m.Centre]:
        params = {"district_code": district_code, "item_code": item_code, "lat": lat, "lon": lon, "limit": limit}
        response = await self.transport.request("GET", "/v1/centres", params=params)
        return [m.Centre.model_validate(c) for c in response.json()["centres"]]

    async def list_nearby_terminals(self, limit: int = 3) -> list[m.NearbyTerminal]:
        """Terminals in service nearest to this one's centre (the platform knows where each terminal stands)."""
        response = await self.transport.request("GET", "/v1/terminals/nearby", params={"limit": limit})
        return [m.NearbyTerminal.model_validate(t) for t in response.json()["terminals"]]

    async def get_centre(self, centre_id: str) -> m.Centre:
        return await self._get(m.Centre, f"/v1/centres/{centre_id}")

    async def search_knowledge(self, q: str, item_code: str | None = None, limit: int = 10) -> list[m.KnowledgeHit]:
        response = await self.transport.request("GET", "/v1/knowledge/search", params={"q": q, "item_code": item_code, "limit": limit})
        return [m.KnowledgeHit.model_validate(h) for h in response.json()["results"]]

    # ----- identity, shared data, 电子证照 --------------------------------------------------------
    async def verify_id_card(self, id_card: dict[str, Any], face_jpeg: bytes, liveness_score: float | None = None) -> m.PersonIdentity:
        body: dict[str, Any] = {"id_card": id_card, "face_jpeg_base64": base64.b64encode(face_jpeg).decode("ascii")}
        if liveness_score is not None:
            body["liveness_score"] = liveness_score
        return await self._post(m.PersonIdentity, "/v1/identity/id-card", body)

    async def verify_code(self, code: str, kind: str = "yukuaima") -> m.PersonIdentity:
        return await self._post(m.PersonIdentity, "/v1/identity/code", {"code": code, "kind": kind})

    async def verify_social_security(self, card_number: str, id_number: str, name: str, pin_verified: bool = True) -> m.PersonIdentity:
        body = {"card_number": card_number, "id_number": id_number, "name": name, "pin_verified": pin_verified}
        return await self._post(m.PersonIdentity, "/v1/identity/social-security", body)

    async def shared_data(self, person_token: str, fields: list[str] | None = None) -> m.SharedData:
        return await self._get(m.SharedData, f"/v1/persons/{person_token}/shared-data", fields=",".join(fields) if fields else None)

    async def list_licenses(self, person_token: str, type_code: str | None = None) -> list[m.LicenseSummary]:
        response = await self.transport.request("GET", f"/v1/persons/{person_token}/licenses", params={"type_code": type_code})
        return [m.LicenseSummary.model_validate(x) for x in response.json()["licenses"]]

    async def get_license(self, person_token: str, license_id: str) -> m.License:
        return await self._get(m.License, f"/v1/persons/{person_token}/licenses/{license_id}")

    # ----- applications and cases ---------------------------------------------------------------
    async def upload_material(self, data: bytes, media_type: str) -> m.MaterialReceipt:
        """Content-addressed and idempotent, so it is retried like a GET."""
        digest = hashlib.sha256(data).hexdigest()
        response = await self.transport.request("PUT", f"/v1/materials/{digest}", content=data, content_type=media_type)
        return _parse(m.MaterialReceipt, response)

    async def submit_application(self, application: dict[str, Any], idempotency_key: str) -> m.SubmitResult:
        """Retried with the same key until answered; a repeat returns the first case (``replayed``)."""
        return await self._post(m.SubmitResult, "/v1/applications", application, headers={"Idempotency-Key": idempotency_key})

    async def get_case(self, case_id: str) -> m.Case:
        return await self._get(m.Case, f"/v1/cases/{case_id}")

    async def list_person_cases(self, person_token: str) -> list[m.Case]:
        """The verified person's own cases (case status by ID card)."""
        response = await self.transport.request("GET", f"/v1/persons/{person_token}/cases")
        return [m.Case.model_validate(c) for c in response.json()["cases"]]

    async def create_handover(self, item_code: str, person_token: str, draft: dict[str, Any], step: str = "") -> m.Handover:
        """Continue on mobile: the platform keeps the draft; the QR carries only the one-time URL."""
        body = {"item_code": item_code, "person_token": person_token, "draft": draft, "step": step[:40]}
        return await self._post(m.Handover, "/v1/handovers", body)

    async def claim_handover(self, handover_id: str) -> m.HandoverClaim:
        """The phone's side (unsigned: the one-time token is the credential); here for tests and tools."""
        return _parse(m.HandoverClaim, await self.transport.request("GET", f"/v1/handovers/{handover_id}", signed=False))

    async def evaluate(self, score: int, comment: str = "", case_id: str | None = None, item_code: str | None = None) -> m.Evaluation:
        body: dict[str, Any] = {"score": score, "comment": comment}
        body.update({k: v for k, v in (("case_id", case_id), ("item_code", item_code)) if v})
        return await self._post(m.Evaluation, "/v1/evaluations", body)

    # ----- at the service centre ----------------------------------------------------------------
    async def list_slots(self, centre_id: str, date: str) -> list[m.Slot]:
        response = await self.transport.request("GET", f"/v1/centres/{centre_id}/slots", params={"date": date})
        return [m.Slot.model_validate(s) for s in response.json()["slots"]]

    async def book_appointment(self, centre_id: str, item_code: str, slot_start: int, person_token: str) -> m.Appointment:
        body = {"centre_id": centre_id, "item_code": item_code, "slot_start": slot_start, "person_token": person_token}
        return await self._post(m.Appointment, "/v1/appointments", body)

    async def take_queue_ticket(self, centre_id: str, item_code: str | None = None, person_token: str | None = None,
                                priority: str = "normal") -> m.QueueTicket:
        body: dict[str, Any] = {"centre_id": centre_id, "priority": priority}
        body.update({k: v for k, v in (("item_code", item_code), ("person_token", person_token)) if v})
        return await self._post(m.QueueTicket, "/v1/queue-tickets", body)

    async def file_complaint(self, category: str, description: str, **extra: Any) -> m.Complaint:
        return await self._post(m.Complaint, "/v1/complaints", {"category": category, "description": description, **extra})

    async def request_help(self, kind: str, **extra: Any) -> m.HelpTicket:
        return await self._post(m.HelpTicket, "/v1/help-requests", {"kind": kind, **extra})
