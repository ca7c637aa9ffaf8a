"""The flow's explicit states, their named groups, and the transitions allowed between them."""

from __future__ import annotations

import enum


class FlowState(str, enum.Enum):
    IDENTIFY = "identify"      # 二代证 + face, 渝快码, 社保卡, or 代办
    GUIDE = "guide"            # questions → situation → exact material list (一次性告知)
    FORM = "form"              # prefilled from shared data; validated
    MATERIALS = "materials"    # 电子证照 first, else scan / 高拍仪 / photo; local review points
    SIGNATURE = "signature"    # drawn on screen → PNG
    CONFIRM = "confirm"        # the citizen checks everything once more
    SUBMITTING = "submitting"  # being written to the outbox
    ACCEPTED = "accepted"      # durably in the outbox: a local receipt number exists
    RECEIPT = "receipt"        # printed + shown
    EVALUATE = "evaluate"      # 好差评
    DONE = "done"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"
    CLOSED = "closed"          # closed after a crash before acceptance


#: Nothing has been promised to the citizen yet: a crash closes these cleanly.
BEFORE_ACCEPTANCE = frozenset({FlowState.IDENTIFY, FlowState.GUIDE, FlowState.FORM, FlowState.MATERIALS,
                               FlowState.SIGNATURE, FlowState.CONFIRM, FlowState.SUBMITTING})
#: The application is accepted: a crash resumes these, never loses or re-submits them.
AFTER_ACCEPTANCE = frozenset({FlowState.ACCEPTED, FlowState.RECEIPT, FlowState.EVALUATE})
FINAL = frozenset({FlowState.DONE, FlowState.CANCELLED, FlowState.TIMED_OUT, FlowState.CLOSED})

_FORWARD: dict[FlowState, frozenset[FlowState]] = {
    FlowState.IDENTIFY: frozenset({FlowState.GUIDE, FlowState.FORM}),
    FlowState.GUIDE: frozenset({FlowState.IDENTIFY, FlowState.FORM, FlowState.DONE}),  # DONE: only the 告知单 was wanted
    FlowState.FORM: frozenset({FlowState.GUIDE, FlowState.MATERIALS, FlowState.SIGNATURE, FlowState.CONFIRM}),
    FlowState.MATERIALS: frozenset({FlowState.FORM, FlowState.SIGNATURE, FlowState.CONFIRM}),
    FlowState.SIGNATURE: frozenset({FlowState.MATERIALS, FlowState.FORM, FlowState.CONFIRM}),
    FlowState.CONFIRM: frozenset({FlowState.FORM, FlowState.MATERIALS, FlowState.SIGNATURE, FlowState.SUBMITTING}),
    FlowState.SUBMITTING: frozenset({FlowState.ACCEPTED, FlowState.CONFIRM}),
    FlowState.ACCEPTED: frozenset({FlowState.RECEIPT}),
    FlowState.RECEIPT: frozenset({FlowState.EVALUATE, FlowState.DONE}),
    FlowState.EVALUATE: frozenset({FlowState.DONE}),
}


def allowed(source: FlowState, target: FlowState) -> bool:
    """Forward moves from the table; any unfinished state may be cancelled or time out before acceptance."""
    if source in FINAL:
        return False
    if target in (FlowState.CANCELLED, FlowState.TIMED_OUT, FlowState.CLOSED):
        return source in BEFORE_ACCEPTANCE
    if target is FlowState.DONE and source in AFTER_ACCEPTANCE:
        return True
    return target in _FORWARD.get(source, frozenset())
