"""ServiceDesk: what the citizen service screens of one session share.

Why one object: the services hand each other the citizen's verified identity (case status by ID card,
then an appointment, asks for the face once), the last screen shown (errors are shown on top of it)
and the chosen centre; the controller's session wipe clears all of it in one ``reset``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from kiosk.flows.availability import of_terminal
from kiosk.flows.identify import METHODS, IdentifyFailed
from kiosk.flows.session_host import SessionHost
from kiosk.flows.viewmodels import ViewModel

log = logging.getLogger(__name__)
#: The methods a service screen tries, most trusted first (人证核验 is the one a window would ask for).
SERVICE_IDENTIFY_ORDER = ("idcard_face", "sscard", "ykm")


class ServiceDesk:
    def __init__(self, host: SessionHost) -> None:
        self.host = host
        self.view: ViewModel | None = None
        self.person_token = ""
        self.centre = ""

    @property
    def client(self) -> Any:
        return self.host.services.link.client

    @property
    def elder(self) -> bool:
        return self.host.elder

    def reset(self) -> None:
        self.view, self.person_token, self.centre = None, "", ""

    def show(self, vm: ViewModel) -> None:
        self.view = vm
        self.host.publish(vm)

    async def identify(self) -> bool:
        """Once per session (the person token is kept until the wipe): the ID card and face, or — when that
        reader or camera is down — the first method that works now (社保卡, then 渝快码)."""
        if self.person_token:
            return True
        working = of_terminal(self.host.services.terminal).working
        method = next((m for m in SERVICE_IDENTIFY_ORDER if m in working), None)
        if method is None:
            log.info("service identify: no identification method works")
            return False

        async def phase(_: str, guidance: str) -> None:
            if self.view is not None:
                self.host.publish(replace(self.view, speak=guidance))

        try:
            identity = await METHODS[method](
                self.host.services.terminal, self.client, phase, None, lambda: self.host.session is not None
            )
        except IdentifyFailed as exc:
            log.info("service identify failed: %s", exc)
            self._audit(method, False, str(exc)[:120])
            return False
        self.person_token = identity.person_token
        self._audit(method, True, "")
        return True

    def _audit(self, method: str, ok: bool, reason: str) -> None:
        """Identity checks are audited by method and result, never by whom (the service desk, as the item flows)."""
        session = self.host.session
        self.host.services.audit.append("terminal", "identity.checked", session=session.id if session else "", method=method, ok=ok,
                                        purpose="service", **({"reason": reason} if reason else {}))
