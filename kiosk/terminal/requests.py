"""Request ids: every device command gets one (XFS4IoT ``requestId``), and every event it causes carries it.

The id travels in a context variable: the runner sets it on the device's worker thread for the duration of
a job, so an event a driver publishes while serving a command is stamped with that command's id without
the driver passing anything (``Event.request_id`` reads it by default); events from pollers and monitors
carry ``None`` (unsolicited, in XFS4IoT terms). A caller that must know the id *before* the completion —
to cancel it, or to map a client's id (kiosk.xfs) — opens ``request_scope()`` around the call.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from contextvars import ContextVar

_CURRENT: ContextVar[int | None] = ContextVar("kiosk_request_id", default=None)
_ids = itertools.count(1)  # next() on a count is atomic under the GIL: ids are unique across threads


def new_request_id() -> int:
    """A fresh id, unique in this process."""
    return next(_ids)


def current_request_id() -> int | None:
    """The id of the command being served (worker thread) or about to be issued (inside request_scope)."""
    return _CURRENT.get()


@contextlib.contextmanager
def request_scope(request_id: int | None = None) -> Iterator[int]:
    """Commands issued inside run under ``request_id`` (a fresh one if None); yields the id."""
    rid = request_id if request_id is not None else new_request_id()
    token = _CURRENT.set(rid)
    try:
        yield rid
    finally:
        _CURRENT.reset(token)
