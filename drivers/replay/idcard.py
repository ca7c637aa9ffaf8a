"""``idcard.replay``: the real 二代证 driver (SerialLink, SAM commands, card parsing) over a recorded serial line."""

from __future__ import annotations

from drivers.idcard.options import IdCardOptions
from drivers.idcard.service import IdCardService, service_kwargs
from drivers.replay.cursor import ReplayCursor
from drivers.replay.serial_wire import SERIAL_ERRORS, replay_opener
from drivers.replay.spec import ReplayOptions, driver_options, recording_for, transport_facts
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass


class ReplayedIdCardService(IdCardService):
    """The real driver whose serial line is a recording; ``replay`` is the cursor (tests ask it what is left)."""

    replay: ReplayCursor


@takes_options(ReplayOptions)
def build(spec: DeviceSpec, bus: EventBus) -> ReplayedIdCardService:
    recording, opts = recording_for(spec, DeviceClass.ID_CARD_READER)
    facts = transport_facts(recording)
    service = ReplayedIdCardService(spec.name, bus, str(facts.get("port") or recording.path),
                                    **service_kwargs(spec, driver_options(recording, IdCardOptions)))
    service.replay = ReplayCursor(recording, opts.speed, SERIAL_ERRORS)
    service.link.opener = replay_opener(service.replay)
    return service
