"""Intents: everything a screen (or the headless driver) can ask of the flow layer.

Why a closed set of frozen messages instead of callbacks: the UI thread only enqueues an intent
(``Controller.send``), the flow layer handles it on its own loop, and the headless ``kiosk simulate``
driver sends exactly the same objects the touch screen does, so the scripted runs test the real path.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intent:
    """Base class; ``Touch`` is implied by every intent (each one resets the idle timer)."""


@dataclass(frozen=True)
class Touch(Intent):
    """Any activity on the screen (a tap that changes nothing still keeps the session alive)."""


@dataclass(frozen=True)
class Start(Intent):
    """Start an item or a 一件事 (life event) by its code."""

    code: str
    agent: bool = False  # 代办: the person at the terminal acts for someone else


@dataclass(frozen=True)
class OpenService(Intent):
    """Open a citizen service: case_status | appointment | queue | centres | faq | help | complaint."""

    service: str


@dataclass(frozen=True)
class Search(Intent):
    """Home search box: characters, pinyin or pinyin initials (``sbjf`` → 社保缴费)."""

    query: str
    category: str | None = None


@dataclass(frozen=True)
class Choose(Intent):
    """A choice on the current screen: identify method, handling mode, delivery, centre, slot, case method…

    ``what`` names the choice (``method``, ``mode``, ``delivery``, ``centre``, ``slot``, ``category``,
    ``action``); ``value`` is the option id from the view-model.
    """

    what: str
    value: str


@dataclass(frozen=True)
class Answer(Intent):
    """A guide question answered with one of its option ids."""

    question: str
    option: str


@dataclass(frozen=True)
class SetField(Intent):
    field: str
    value: str


@dataclass(frozen=True)
class Next(Intent):
    """Go on from the current step (validates it first)."""


@dataclass(frozen=True)
class Back(Intent):
    """Go back one step (never across acceptance)."""


@dataclass(frozen=True)
class Capture(Intent):
    """Capture a material from a source: scanner | doccam | photo."""

    material: str
    source: str


@dataclass(frozen=True)
class UseElicense(Intent):
    """Use the 电子证照 for a material (免提交)."""

    material: str


@dataclass(frozen=True)
class Sign(Intent):
    """The drawn signature as PNG bytes."""

    png: bytes


@dataclass(frozen=True)
class Confirm(Intent):
    """The citizen confirms the summary: submit."""


@dataclass(frozen=True)
class PrintNotice(Intent):
    """Print the 一次性告知书 for the resolved situation."""


@dataclass(frozen=True)
class Cancel(Intent):
    """Leave the current flow (before acceptance the application is discarded)."""


@dataclass(frozen=True)
class Evaluate(Intent):
    """好差评: 1 (非常不满意) … 5 (非常满意), optional comment."""

    score: int
    comment: str = ""


@dataclass(frozen=True)
class SubmitText(Intent):
    """Free text for FAQ queries, complaints and help requests; ``phone`` optional for a call back."""

    text: str
    phone: str = ""
    category: str = ""


@dataclass(frozen=True)
class ToggleElder(Intent):
    """适老化 mode on/off: larger type, slower timeouts, every step spoken."""


@dataclass(frozen=True)
class Help(Intent):
    """One-tap 帮办 from any screen."""


@dataclass(frozen=True)
class Handover(Intent):
    """Continue on mobile: show a QR that hands the application over to the phone."""


@dataclass(frozen=True)
class Finish(Intent):
    """The citizen is done (skip evaluation, leave a service screen): end the session."""


@dataclass(frozen=True)
class MaintenanceLogin(Intent):
    """The technician pad: ``card`` = technician card on the 社保卡 reader + PIN; ``totp`` = hidden gesture + code."""

    method: str
    code: str


@dataclass(frozen=True)
class MaintenanceAction(Intent):
    """The gesture (``login``: open the pad) or a dashboard button:
    selftest | status | counters | errors | config | rollback | export_logs | leave."""

    action: str
