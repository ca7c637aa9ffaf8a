"""CitizenServices: routes the intents of the service screens (I.OpenService, and whatever the open
service's screen sends) to the one service module that handles them.

The services share the controller's session (so the same idle timeout and wipe apply) and never touch
drivers except through the Terminal facade.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from kiosk.flows import intents as I
from kiosk.flows.citizen.appointment import Appointment
from kiosk.flows.citizen.case_lookup import CaseNumberLookup
from kiosk.flows.citizen.case_status import CaseStatus
from kiosk.flows.citizen.centres import Centres
from kiosk.flows.citizen.complaint import Complaint
from kiosk.flows.citizen.desk import ServiceDesk
from kiosk.flows.citizen.faq import Faq
from kiosk.flows.citizen.help_request import HelpRequest
from kiosk.flows.citizen.mobile import ContinueOnMobile
from kiosk.flows.session_host import SessionHost
from kiosk.flows.viewmodels import ViewModel

log = logging.getLogger(__name__)


class CitizenServices:
    def __init__(self, host: SessionHost) -> None:
        self.c = host
        self.active = ""
        self.desk = ServiceDesk(host)
        centres = Centres(self.desk)
        case_status, appointment = CaseNumberLookup(CaseStatus(self.desk)), Appointment(self.desk, centres)
        faq, complaint, help_request = Faq(self.desk), Complaint(self.desk, centres), HelpRequest(self.desk)
        # service name (I.OpenService) → what opens it, and → what handles its screen's intents
        self._openers: dict[str, Callable[[], Awaitable[None]]] = {
            "case_status": case_status.open, "centres": centres.open, "appointment": appointment.open, "queue": appointment.open,
            "faq": faq.open, "complaint": complaint.open, "help": help_request.open, "handover": ContinueOnMobile(self.desk).open,
        }
        self._handlers: dict[str, Callable[[I.Intent], Awaitable[None]]] = {
            "case_status": case_status.on, "appointment": appointment.on, "queue": appointment.on, "faq": faq.on, "complaint": complaint.on,
            "help": help_request.on,
        }

    @property
    def view(self) -> ViewModel | None:
        """The last service screen shown (None once the service is closed)."""
        return self.desk.view

    def reset(self) -> None:
        self.active = ""
        self.desk.reset()

    def _close(self) -> None:
        self.active, self.desk.view = "", None

    async def handle(self, intent: I.Intent) -> bool:
        """True if the intent was for a service (or closed one and restored the flow's screen)."""
        if isinstance(intent, I.Help):
            intent = I.OpenService("help")
        if isinstance(intent, I.Handover):
            intent = I.OpenService("handover")
        if isinstance(intent, I.OpenService):
            opener = self._openers.get(intent.service)
            if opener is None:
                log.warning("no citizen service %r", intent.service)
                return True
            self.active = intent.service
            await opener()
            return True
        if not self.active:
            return False
        if isinstance(intent, I.Cancel):  # 退出 on a service screen ends the session like anywhere else
            self._close()
            return False
        if isinstance(intent, (I.Back, I.Finish)) or (isinstance(intent, I.Choose) and intent.value in ("back", "home")):
            self._close()
            if self.c.flow is not None and self.c.flow.view is not None:
                self.c.publish(self.c.flow.view)
            elif isinstance(intent, I.Finish):
                await self.c.end("finished")
            else:
                self.c.home()
            return True
        handler = self._handlers.get(self.active)
        if handler is not None:
            await handler(intent)
            return True
        return False
