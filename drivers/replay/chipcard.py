"""``chipcard.replay``: the real 社保卡 service and read sequences over recorded PC/SC exchanges (no pcscd)."""

from __future__ import annotations

from drivers.chipcard.service import ChipCardService
from drivers.replay.cursor import ReplayCursor
from drivers.replay.pcsc_wire import PCSC_ERRORS, ReplayPcsc
from drivers.replay.spec import ReplayOptions, recording_for, transport_facts
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass


class ReplayedChipCardService(ChipCardService):
    """No card monitor (its presence polling is not in a recording); ``replay`` is the cursor."""

    replay: ReplayCursor


@takes_options(ReplayOptions)
def build(spec: DeviceSpec, bus: EventBus) -> ReplayedChipCardService:
    recording, opts = recording_for(spec, DeviceClass.CHIP_CARD_READER)
    reader = str(transport_facts(recording).get("reader", ""))
    service = ReplayedChipCardService(spec.name, bus, reader=reader, default_timeout=spec.timeout_s, monitor=False)
    service.replay = ReplayCursor(recording, opts.speed, PCSC_ERRORS)
    service.pcsc = ReplayPcsc(service.replay)
    return service
