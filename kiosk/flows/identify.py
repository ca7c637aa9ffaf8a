"""The identify step: 二代证 + face (人证核验), 渝快码, 社保卡, and 代办 (agent, then principal).

Each method ends with a platform person token: the platform, not the terminal, decides who this
is. The raw card data stay in the session (``Session.data``) for prefill and are wiped with it.
``on_phase`` lets the controller publish the identify view-model as each device step starts.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.errors import FlowError, PlatformError, PlatformRejected
from kiosk.flows.media_wait import Moved, until_inserted
from kiosk.privacy import mask_name
from kiosk.terminal.completion import Completion, CompletionCode
from kiosk.terminal.facade import Terminal
from kiosk.terminal.media import IdCardData
from kiosk.terminal.platform.client import PlatformClient
from kiosk.terminal.status import DeviceClass

log = logging.getLogger(__name__)
Phase = Callable[[str, str], Awaitable[None]]  # (phase, guidance)
Alive = Callable[[], bool]  # False once the session has ended (idle timeout, cancel)
CARD_WAIT_S = 120.0  # how long a "place your card" step waits; the idle timer usually ends it first

GUIDANCE = {
    "insert_card": "请将二代身份证放在感应区",
    "card_moved": "证件移动了，请将身份证重新放好，读完前不要拿开",
    "reading": "正在读取身份证，请不要移动证件",
    "face": "请正对摄像头，保持面部在框内",
    "verifying": "正在进行人证核验，请稍候",
    "scan_code": "请打开渝快办APP，出示渝快码对准扫码口",
    "insert_sscard": "请将社会保障卡插入读卡口",
}


class IdentifyFailed(FlowError):
    """Identification did not succeed; ``citizen`` is the plain-Chinese reason to show."""

    def __init__(self, citizen: str, detail: str = "") -> None:
        super().__init__(detail or citizen)
        self.citizen = citizen


@dataclass
class Identity:
    """Who is at the terminal. ``person`` holds unmasked fields for prefill (session memory only)."""

    method: str
    person_token: str
    name_masked: str
    person: dict[str, str] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)

    def to_checkpoint(self) -> dict[str, Any]:
        return {"method": self.method, "person_token": self.person_token, "name_masked": self.name_masked,
                "person": self.person, "shared": self.shared}

    @classmethod
    def from_checkpoint(cls, data: dict[str, Any]) -> Identity:
        return cls(data["method"], data["person_token"], data["name_masked"], dict(data.get("person", {})), dict(data.get("shared", {})))


def _need(result: Completion[Any], what: str) -> Any:
    if not result.ok or result.data is None:
        raise IdentifyFailed(result.citizen_message or f"{what}失败，请重试", f"{what}: {result.code.value} {result.description}")
    return result.data


def card_dict(card: IdCardData) -> dict[str, str]:
    return {"name": card.name, "id_number": card.id_number, "sex": card.sex, "nation": card.nation, "birth_date": card.birth_date,
            "address": card.address, "issuer": card.issuer, "valid_from": card.valid_from, "valid_to": card.valid_to}


async def wait_for_card(terminal: Terminal, reader: DeviceClass, read: Callable[[], Awaitable[Completion[Any]]], what: str, alive: Alive,
                        wait_s: float = CARD_WAIT_S, on_moved: Moved | None = None) -> Any:
    """One read now, then one per MediaInserted from the reader's poller (kiosk.flows.media_wait): NO_MEDIA
    means "not placed yet", anything else is the answer. A session end cancels the read in flight
    (``Terminal.cancel_all``) and ``alive`` ends the wait, so nothing keeps reading for a citizen who has left.
    """
    result = await until_inserted(terminal.bus, terminal.devices.get(reader), read, wait_s, alive, on_moved)
    if not result.ok and result.code is CompletionCode.NO_MEDIA and not alive():
        raise IdentifyFailed("已退出", f"{what}: session ended while waiting for the card")
    return _need(result, what)


def _always() -> bool:
    return True


async def read_id_card(terminal: Terminal, on_phase: Phase, timeout: float | None, alive: Alive = _always) -> IdCardData:
    reader = terminal.idcard
    if reader is None:
        raise IdentifyFailed("本终端暂不能读取身份证，请选择其他方式")
    await on_phase("insert_card", GUIDANCE["insert_card"])

    async def moved(_result: Completion[Any]) -> None:  # lifted mid-read (SW3=41): not a fault, place it again
        await on_phase("insert_card", GUIDANCE["card_moved"])

    return await wait_for_card(terminal, DeviceClass.ID_CARD_READER, lambda: reader.read_card(timeout), "读取身份证", alive, on_moved=moved)


async def idcard_face(terminal: Terminal, client: PlatformClient, on_phase: Phase, timeout: float | None = None, alive: Alive = _always) -> Identity:
    card = await read_id_card(terminal, on_phase, timeout, alive)
    camera = terminal.camera
    if camera is None:
        raise IdentifyFailed("摄像头不可用，请选择渝快码或社保卡")
    await on_phase("face", GUIDANCE["face"])
    face = _need(await camera.capture_face(timeout), "人脸采集")
    await on_phase("verifying", GUIDANCE["verifying"])
    body = {k: v for k, v in card_dict(card).items() if k != "valid_to" and v}
    if card.valid_to:
        body["valid_until"] = card.valid_to
    try:
        found = await client.verify_id_card(body, face.jpeg, face.quality.get("liveness"))
    except PlatformRejected as exc:
        raise IdentifyFailed(exc.message, exc.code) from None
    except PlatformError as exc:
        raise IdentifyFailed("暂时无法连接身份核验服务，请稍后再试或呼叫帮办", str(exc)) from None
    return Identity("idcard_face", found.person_token, found.name_masked, card_dict(card))


async def yukuaima(terminal: Terminal, client: PlatformClient, on_phase: Phase, timeout: float | None = None, alive: Alive = _always) -> Identity:
    reader = terminal.barcode
    if reader is None:
        raise IdentifyFailed("扫码器不可用，请选择其他方式")
    await on_phase("scan_code", GUIDANCE["scan_code"])
    code = _need(await reader.read_code(timeout), "扫码")
    await on_phase("verifying", GUIDANCE["verifying"])
    kind = "eid" if code.text.startswith("EID") else "yukuaima"
    try:
        found = await client.verify_code(code.text, kind)
    except PlatformRejected as exc:
        raise IdentifyFailed(exc.message, exc.code) from None
    except PlatformError as exc:
        raise IdentifyFailed("暂时无法连接身份核验服务，请稍后再试或呼叫帮办", str(exc)) from None
    return Identity("ykm", found.person_token, found.name_masked)


async def sscard(terminal: Terminal, client: PlatformClient, on_phase: Phase, timeout: float | None = None, alive: Alive = _always) -> Identity:
    reader = terminal.chipcard
    if reader is None:
        raise IdentifyFailed("社保卡读卡器不可用，请选择其他方式")
    await on_phase("insert_sscard", GUIDANCE["insert_sscard"])
    card = await wait_for_card(terminal, DeviceClass.CHIP_CARD_READER, lambda: reader.read_card(timeout), "读取社保卡", alive)
    await on_phase("verifying", GUIDANCE["verifying"])
    try:
        found = await client.verify_social_security(card.card_number, card.social_security_number, card.name)
    except PlatformRejected as exc:
        raise IdentifyFailed(exc.message, exc.code) from None
    except PlatformError as exc:
        raise IdentifyFailed("暂时无法连接身份核验服务，请稍后再试或呼叫帮办", str(exc)) from None
    return Identity("sscard", found.person_token, found.name_masked, {"name": card.name, "id_number": card.social_security_number})


METHODS: dict[str, Callable[..., Awaitable[Identity]]] = {"idcard_face": idcard_face, "ykm": yukuaima, "sscard": sscard}


async def with_shared_data(identity: Identity, client: PlatformClient) -> Identity:
    """数据共享: fetch what the platform already knows, so nothing known is typed again."""
    try:
        shared = await client.shared_data(identity.person_token)
    except PlatformError as exc:
        log.warning("shared data unavailable (%s); the citizen types what is missing", type(exc).__name__)
        return identity
    identity.shared = dict(shared.data)
    for key in ("name", "id_number", "sex", "birth_date", "nation"):
        if shared.data.get(key) and not identity.person.get(key):
            identity.person[key] = str(shared.data[key])
    if not identity.person.get("address") and shared.data.get("household_address"):
        identity.person["address"] = str(shared.data["household_address"])
    return identity


def principal_from_card(card: IdCardData) -> dict[str, str]:
    """代办: the principal's card read on the same reader (data only; no face, the principal is absent)."""
    return card_dict(card)


def masked(identity: Identity | None) -> str:
    if identity is None:
        return ""
    return identity.name_masked or mask_name(identity.person.get("name", ""))
