"""预约取号 and 现场取号: choose a centre, then a queue number now or an appointment slot of one of the
open days of the coming week; the ticket is printed when the terminal has a printer."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from kiosk.errors import PlatformError
from kiosk.flows import intents as I
from kiosk.flows.citizen.centres import Centres
from kiosk.flows.citizen.desk import ServiceDesk
from kiosk.flows.citizen.ticket_receipt import ticket_document
from kiosk.flows.viewmodels import AppointmentVM, Option, TicketVM

CHINA = dt.timezone(dt.timedelta(hours=8))  # the halls' time: appointment days and slot labels
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
DEFAULT_ITEM = "00011200400001"  # booked outside an item flow: the hall's most frequent item


class Appointment:
    def __init__(self, desk: ServiceDesk, centres: Centres) -> None:
        self.desk = desk
        self.centres = centres

    async def open(self) -> None:
        rows = await self.centres.nearest(limit=5)
        self.desk.show(AppointmentVM(elder_mode=self.desk.elder, speak="请选择办事网点", title="预约取号",
                                     centres=tuple(Option(r.id, r.name, f"{r.distance_m}米") for r in rows)))

    async def on(self, intent: I.Intent) -> None:
        view = self.desk.view
        vm = view if isinstance(view, AppointmentVM) else AppointmentVM()
        if isinstance(intent, I.Choose) and intent.what == "centre":
            self.desk.centre = intent.value
            days = await self._open_days(intent.value)
            day = days[0].id if days else ""
            self.desk.show(replace(vm, centre=intent.value, days=days, day=day, slots=await self._slots(intent.value, day), ticket=None,
                                   error="", speak="请选择现场取号，或选择预约日期和时间"))
        elif isinstance(intent, I.Choose) and intent.what == "day" and self.desk.centre:
            self.desk.show(replace(vm, day=intent.value, slots=await self._slots(self.desk.centre, intent.value), speak="请选择预约时间"))
        elif isinstance(intent, I.Choose) and intent.what == "slot" and self.desk.centre:
            await self._ticket(vm, intent.value)

    async def _free(self, centre: str, day: str) -> list[Any]:
        return [s for s in await self.desk.client.list_slots(centre, day) if s.available]

    async def _open_days(self, centre: str) -> tuple[Option, ...]:
        """The days after today (China time) within a week that have free slots: asking only for tomorrow
        offered nothing on a Friday or Saturday, and UTC's date is a day behind before 08:00."""
        today = dt.datetime.now(CHINA).date()
        days = []
        for ahead in range(1, 8):
            day = today + dt.timedelta(days=ahead)
            if await self._free(centre, day.isoformat()):
                days.append(Option(day.isoformat(), f"{day:%m-%d} {WEEKDAYS[day.weekday()]}"))
        return tuple(days)

    async def _slots(self, centre: str, day: str) -> tuple[Option, ...]:
        free = await self._free(centre, day) if day else []
        return (Option("now", "现场取号（今天）"),) + tuple(
            Option(str(s.start), dt.datetime.fromtimestamp(s.start, CHINA).strftime("%m-%d %H:%M"), f"余{s.available}") for s in free)

    async def _ticket(self, vm: AppointmentVM, slot: str) -> None:
        desk, client = self.desk, self.desk.client
        try:
            if slot == "now":
                t = await client.take_queue_ticket(desk.centre, priority="elder" if desk.elder else "normal")
                ticket = TicketVM(t.ticket_no, t.centre_name, waiting_ahead=t.waiting_ahead,
                                  time=dt.datetime.fromtimestamp(t.issued_at, CHINA).strftime("%H:%M"), kind="queue")
            else:
                if not await desk.identify():
                    desk.show(replace(vm, error="预约需要核验身份，请重试", speak="预约需要核验身份，请重试"))
                    return
                flow = desk.host.flow
                item_code = flow.plan.members[0].item.code if flow else DEFAULT_ITEM
                a = await client.book_appointment(desk.centre, item_code, int(slot), desk.person_token)
                ticket = TicketVM(a.check_in_code, a.centre_name, time=dt.datetime.fromtimestamp(a.slot_start, CHINA).strftime("%m-%d %H:%M"),
                                  kind="appointment")
        except PlatformError as exc:
            desk.show(replace(vm, error=getattr(exc, "message", "") or "暂时无法取号", speak="暂时无法取号"))
            return
        printed = await self._print(ticket)
        desk.show(replace(vm, ticket=ticket, printed=printed, speak=f"您的号码是{ticket.number}"))

    async def _print(self, ticket: TicketVM) -> bool:
        printer = self.desk.host.services.terminal.printer
        if printer is None:
            return False
        return (await printer.print_document(ticket_document(ticket))).ok
