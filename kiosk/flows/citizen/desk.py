"""ServiceDesk: what the citizen service screens of one session share.

Why one object: the services hand each other the citizen's verified identity (case status by ID card,
then an appointment, asks for the face once), the last screen shown (errors are shown on top of it)
and the chosen centre; the controller's session wipe clears all of it in one ``reset``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from kiosk.flows.identify import METHODS, IdentifyFailed
from kiosk.flows.session_host import SessionHost
from kiosk.flows.viewmodels import ViewModel

log = logging.getLogger(__name__)


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
        """The citizen's ID card and face, once per session (the person token is kept until the wipe)."""
        if self.person_token:
            return True

        async def phase(_: str, guidance: str) -> None:
            if self.view is not None:
                self.host.publish(replace(self.view, speak=guidance))

        try:
            identity = await METHODS["idcard_face"](
                self.host.services.terminal, self.client, phase, None, lambda: self.host.session is not None
            )
        except IdentifyFailed as exc:
            log.info("service identify failed: %s", exc)
            return False
        self.person_token = identity.person_token
        return True
