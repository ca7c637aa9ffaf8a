"""Frozen view-models: what each screen kind shows, published by the flow layer, only read by the UI.

Why frozen snapshots (Home Assistant's coordinator pattern): the controller runs on the asyncio side,
screens run in Kivy; a screen renders one immutable object and sends ``kiosk.flows.intents`` back,
so no screen ever calls a driver or the platform. Every view-model carries ``elder_mode`` and
``speak`` (the plain-Chinese sentence the speaker reads out in elder mode). ``kind`` names the screen.

Personal data appears here only as the screen needs it (a form value the citizen typed, a masked
ID number in the confirm summary); view-models live in memory and are dropped with the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

MaterialStatus = Literal["pending", "elicense", "captured", "rejected", "optional"]
KeyboardKind = Literal["pinyin", "digits", "id_number"]
Level = Literal["info", "warning", "error"]


@dataclass(frozen=True, kw_only=True)
class ViewModel:
    """Base: every screen snapshot knows elder mode, its spoken text, and the 帮办 button."""

    kind: ClassVar[str] = "base"
    elder_mode: bool = False
    speak: str = ""
    title: str = ""
    can_back: bool = False
    can_cancel: bool = True


# ----- small value types ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    id: str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Action:
    """A button on a message screen; the UI sends the named intent (e.g. "retry", "home", "help")."""

    id: str
    label: str
    primary: bool = False


@dataclass(frozen=True)
class ItemEntry:
    code: str
    name: str
    category: str
    category_label: str
    life_event: bool = False
    department: str = ""
    initials: str = ""  # pinyin initials, e.g. 社保缴费 → "sbjf"


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    count: int


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str
    section: str = ""


# ----- screens ---------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class AttractVM(ViewModel):
    kind: ClassVar[str] = "attract"
    hall_name: str
    high_frequency: tuple[ItemEntry, ...] = ()
    hall_message: str = ""
    out_of_service: bool = False
    out_of_service_reason: str = ""
    nearby: tuple[Option, ...] = ()  # out of service: terminals in service nearby (label: centre, detail: address · distance)
    prompt: str = "轻触屏幕开始办理"


@dataclass(frozen=True, kw_only=True)
class HomeVM(ViewModel):
    kind: ClassVar[str] = "home"
    categories: tuple[Category, ...]
    high_frequency: tuple[ItemEntry, ...]
    services: tuple[Option, ...]  # case status, appointment, centres, FAQ, 帮办, 办不成事 …
    query: str = ""
    category: str | None = None
    results: tuple[ItemEntry, ...] = ()


@dataclass(frozen=True, kw_only=True)
class IdentifyVM(ViewModel):
    """Phases: choose, insert_card, reading, face, verifying, scan_code, insert_sscard, principal, authorization, done, failed."""

    kind: ClassVar[str] = "identify"
    item_name: str
    methods: tuple[Option, ...]
    method: str | None = None
    phase: str = "choose"
    role: Literal["applicant", "agent", "principal"] = "applicant"
    guidance: str = ""
    preview_jpeg: bytes | None = None
    error: str = ""
    identified_name: str = ""  # masked, e.g. 张*
    item_code: str = ""  # the 为他人代办 button restarts this item as 代办 (``Start(item_code, agent=True)``)
    can_agent: bool = False  # the item accepts 代办 and this person has not chosen it yet
    notice: str = ""  # methods hidden because a device is down, e.g. 身份证读卡器暂不可用，请使用社保卡或渝快码
    principal_card: bool = True  # 代办: the principal's 二代证 can be read (else only manual entry is offered)


@dataclass(frozen=True, kw_only=True)
class GuideVM(ViewModel):
    kind: ClassVar[str] = "guide"
    item_name: str
    question_id: str
    question: str
    options: tuple[Option, ...]
    help: str = ""
    step: int = 1
    total: int = 1  # longest remaining path estimate; for the progress dots
    chosen: tuple[SummaryRow, ...] = ()


@dataclass(frozen=True, kw_only=True)
class NoticeVM(ViewModel):
    """一次性告知: the situation and its exact material list; the citizen may print it and stop here."""

    kind: ClassVar[str] = "notice"
    item_name: str
    situation: str
    materials: tuple[SummaryRow, ...]
    conditions: tuple[str, ...] = ()
    time_limit: str = ""
    fees: str = ""
    printed: bool = False
    print_error: str = ""


@dataclass(frozen=True)
class FieldVM:
    id: str
    label: str
    type: str
    value: str = ""
    prefilled: bool = False
    editable: bool = True
    error: str = ""
    required: bool = True
    options: tuple[Option, ...] = ()
    keyboard: KeyboardKind = "pinyin"
    hint: str = ""


@dataclass(frozen=True, kw_only=True)
class FormVM(ViewModel):
    kind: ClassVar[str] = "form"
    item_name: str
    fields: tuple[FieldVM, ...]
    focus: str | None = None
    can_next: bool = False
    error: str = ""


@dataclass(frozen=True)
class MaterialVM:
    id: str
    name: str
    status: MaterialStatus
    sources: tuple[Option, ...]  # accepted capture sources, 电子证照 first
    originals: int = 1
    copies: int = 0
    elicense_label: str = ""
    pages: int = 0
    rejection: str = ""
    basis: str = ""  # the rule the rejection cites (否定必有依据)
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class MaterialsVM(ViewModel):
    kind: ClassVar[str] = "materials"
    item_name: str
    materials: tuple[MaterialVM, ...]
    active: str | None = None
    capturing: str | None = None  # source in use: scanner | doccam | photo
    preview_jpeg: bytes | None = None
    outline: tuple[tuple[float, float], ...] = ()  # detected page corners (tl, tr, br, bl) as fractions of the preview
    can_next: bool = False


@dataclass(frozen=True, kw_only=True)
class SignatureVM(ViewModel):
    kind: ClassVar[str] = "signature"
    item_name: str
    statement: str
    signer: str = ""  # masked
    signed: bool = False
    error: str = ""


@dataclass(frozen=True, kw_only=True)
class ConfirmVM(ViewModel):
    kind: ClassVar[str] = "confirm"
    item_name: str
    rows: tuple[SummaryRow, ...]
    modes: tuple[Option, ...]
    mode: str
    deliveries: tuple[Option, ...]
    delivery: str
    receiving_district: str = ""
    handling_district: str = ""
    routing_note: str = ""  # e.g. 本终端受理，转渝中区办理（异地代收代办）
    time_limit: str = ""
    fees: str = ""
    can_handover: bool = True


@dataclass(frozen=True, kw_only=True)
class ProgressVM(ViewModel):
    kind: ClassVar[str] = "progress"
    message: str
    cancellable: bool = False
    fraction: float | None = None


@dataclass(frozen=True, kw_only=True)
class ReceiptVM(ViewModel):
    kind: ClassVar[str] = "receipt"
    item_name: str
    receipt_number: str
    case_number: str = ""  # the platform's 办件号, once delivered
    receipt_png_path: str = ""
    printed: bool = False
    print_error: str = ""
    way_forward: str = ""  # e.g. 请拍照留存回执号，或到窗口补打
    certificate_printed: bool = False
    certificate_error: str = ""
    time_limit: str = ""


@dataclass(frozen=True, kw_only=True)
class EvaluateVM(ViewModel):
    kind: ClassVar[str] = "evaluate"
    levels: tuple[Option, ...] = (Option("1", "非常不满意"), Option("2", "不满意"), Option("3", "基本满意"),
                                  Option("4", "满意"), Option("5", "非常满意"))
    score: int | None = None
    comment: str = ""
    submitted: bool = False
    error: str = ""


@dataclass(frozen=True, kw_only=True)
class MessageVM(ViewModel):
    kind: ClassVar[str] = "message"
    text: str
    level: Level = "info"
    actions: tuple[Action, ...] = (Action("home", "返回首页", True),)


@dataclass(frozen=True, kw_only=True)
class IdleWarningVM(ViewModel):
    kind: ClassVar[str] = "idle"
    seconds_left: int
    text: str = "还有 {n} 秒将退出，点击继续办理"


@dataclass(frozen=True)
class CaseRow:
    case_number: str
    item_name: str
    status: str
    status_label: str
    updated: str = ""
    handling_district: str = ""
    steps: tuple[SummaryRow, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CaseStatusVM(ViewModel):
    kind: ClassVar[str] = "case_status"
    phase: Literal["choose", "scan", "idcard", "result"] = "choose"
    methods: tuple[Option, ...] = (Option("qr", "扫描回执二维码"), Option("idcard", "刷身份证查询"))
    cases: tuple[CaseRow, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class TicketVM:
    number: str
    centre: str
    window: str = ""
    waiting_ahead: int = 0
    time: str = ""  # appointment slot or issue time
    kind: Literal["queue", "appointment"] = "queue"


@dataclass(frozen=True, kw_only=True)
class AppointmentVM(ViewModel):
    kind: ClassVar[str] = "appointment"
    centres: tuple[Option, ...] = ()
    centre: str | None = None
    days: tuple[Option, ...] = ()  # open days with free slots (id: ISO date)
    day: str = ""
    slots: tuple[Option, ...] = ()  # "now" (现场取号) first, then the chosen day's free slots
    ticket: TicketVM | None = None
    printed: bool = False
    error: str = ""


@dataclass(frozen=True)
class CentreRow:
    id: str
    name: str
    address: str
    district: str
    distance_m: int
    x: float  # metres east of the terminal's hall (for a drawn map)
    y: float  # metres north of the terminal's hall
    hours: str = ""
    phone: str = ""
    windows: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CentresVM(ViewModel):
    kind: ClassVar[str] = "centres"
    hall_name: str
    centres: tuple[CentreRow, ...]
    item_name: str = ""  # when filtered to centres handling one item


@dataclass(frozen=True)
class FaqHit:
    id: str
    question: str
    answer: str
    source: str = ""
    item_code: str = ""


@dataclass(frozen=True, kw_only=True)
class FaqVM(ViewModel):
    kind: ClassVar[str] = "faq"
    query: str = ""
    hits: tuple[FaqHit, ...] = ()
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class HelpVM(ViewModel):
    """帮办: a staff member is called to the terminal (or a video call is queued)."""

    kind: ClassVar[str] = "help"
    requested: bool = False
    request_id: str = ""
    message: str = "已呼叫帮办人员，请稍候"
    error: str = ""
    modes: tuple[Option, ...] = ()  # the ways the platform offers: on_site | remote_video | phone_callback
    mode: str = "on_site"
    needs_phone: bool = False  # phone_callback chosen: the number is asked for


@dataclass(frozen=True, kw_only=True)
class ComplaintVM(ViewModel):
    """办不成事 反映窗口."""

    kind: ClassVar[str] = "complaint"
    categories: tuple[Option, ...] = ()
    category: str | None = None
    text: str = ""
    phone: str = ""
    submitted: bool = False
    reference: str = ""
    error: str = ""


@dataclass(frozen=True, kw_only=True)
class HandoverVM(ViewModel):
    """Continue on mobile: the QR carries a one-time platform token, never personal data."""

    kind: ClassVar[str] = "handover"
    item_name: str
    qr_payload: str
    expires_in_s: int
    qr_png: bytes | None = None

