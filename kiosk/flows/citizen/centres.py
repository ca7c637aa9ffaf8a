"""附近网点: the hall's own centre and the centres nearest to it (distance and map offsets in metres)."""

from __future__ import annotations

import math
from typing import Any

from kiosk.errors import PlatformError
from kiosk.flows.citizen.desk import ServiceDesk
from kiosk.flows.viewmodels import CentreRow, CentresVM

METRES_PER_DEGREE = 111_320  # of latitude; of longitude times cos(latitude)


class Centres:
    def __init__(self, desk: ServiceDesk) -> None:
        self.desk = desk

    async def hall(self) -> Any:
        """The district centre this terminal stands in (asked once, then cached for every session)."""
        services = self.desk.host.services
        caches = services.caches
        if caches.hall_centre is None:
            centres = await self.desk.client.list_centres(district_code=services.district, limit=20)
            caches.hall_centre = next((x for x in centres if x.level == "district"), centres[0] if centres else None)
        return caches.hall_centre

    async def nearest(self, item_code: str | None = None, limit: int = 8) -> list[CentreRow]:
        hall = await self.hall()
        lat, lon = (hall.location.lat, hall.location.lon) if hall else (None, None)
        centres = await self.desk.client.list_centres(item_code=item_code, lat=lat, lon=lon, limit=limit)
        rows = []
        for x in centres:
            dy = (x.location.lat - lat) * METRES_PER_DEGREE if lat is not None else 0.0
            dx = (x.location.lon - lon) * METRES_PER_DEGREE * math.cos(math.radians(lat)) if lat is not None else 0.0
            rows.append(CentreRow(x.centre_id, x.name, x.address, x.district_name, int((x.distance_km or 0) * 1000), dx, dy, x.hours,
                                  x.phone, (f"排队{x.queue_length}人",)))
        return rows

    async def open(self) -> None:
        hall_name = self.desk.host.services.config.terminal.hall
        try:
            rows = await self.nearest()
        except PlatformError:
            self.desk.show(CentresVM(elder_mode=self.desk.elder, speak="暂时无法获取网点信息", title="附近网点", hall_name=hall_name, centres=()))
            return
        speak = f"离您最近的是{rows[0].name}，约{rows[0].distance_m}米" if rows else "没有找到网点"
        self.desk.show(CentresVM(elder_mode=self.desk.elder, speak=speak, title="附近网点", hall_name=hall_name, centres=tuple(rows)))
