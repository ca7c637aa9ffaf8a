"""Continue on mobile: the platform keeps the draft, the screen shows a QR with a one-time URL.

The QR never carries personal data, only the platform's token (valid ten minutes, single use). The
terminal's own copy is dropped with the session as usual; the citizen finishes on 渝快办.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import qrcode

from kiosk.errors import PlatformError
from kiosk.flows.itemflow import ItemFlow
from kiosk.flows.viewmodels import HandoverVM, ViewModel

log = logging.getLogger(__name__)


def draft_of(flow: ItemFlow) -> dict[str, Any]:
    """Answers and typed values (no captured images: those are re-taken or fetched as 电子证照 on the phone)."""
    draft: dict[str, Any] = {f"answer.{m}.{q}": o for m, answers in flow.record.answers.items() for q, o in answers.items()}
    draft.update({f"field.{k}": v for k, v in flow.record.values.items() if v})
    return dict(list(draft.items())[:200])


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(text, box_size=8, border=2).save(out)
    return out.getvalue()


async def handover_vm(elder: bool, flow: ItemFlow, create: Callable[..., Awaitable[Any]]) -> ViewModel:
    identity = flow.record.identity
    assert identity is not None
    try:
        handover = await create(flow.plan.members[0].item.code, identity.person_token, draft_of(flow), flow.state.value)
    except PlatformError as exc:
        log.warning("handover not issued: %s", exc)
        return HandoverVM(elder_mode=elder, speak="暂时无法转到手机办理", title="手机继续办", item_name=flow.plan.name,
                          qr_payload="", expires_in_s=0)
    ttl = max(0, handover.expires_at - int(time.time()))
    return HandoverVM(elder_mode=elder, speak="请用渝快办APP扫描二维码，在手机上继续办理", title="手机继续办", item_name=flow.plan.name,
                      qr_payload=handover.url, expires_in_s=ttl, qr_png=qr_png(handover.url))
