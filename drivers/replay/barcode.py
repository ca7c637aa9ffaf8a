"""``barcode.replay``: the real serial QR-scanner driver (line framing, payload checks) over a recorded line."""

from __future__ import annotations

from typing import cast

import serial

from drivers.barcode.options import SerialBarcodeOptions
from drivers.barcode.service import SerialBarcodeReader
from drivers.replay.cursor import ReplayCursor
from drivers.replay.serial_wire import SERIAL_ERRORS, ReplaySerial
from drivers.replay.spec import ReplayOptions, driver_options, recording_for, transport_facts
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass


class ReplayedSerialBarcodeReader(SerialBarcodeReader):
    """Only opening the port differs from the real driver: the port is the recording."""

    replay: ReplayCursor

    def _do_open(self, token: CancelToken) -> None:
        self.replay.operation("open")
        self._serial = cast(serial.Serial, ReplaySerial(self.replay))  # has the part of serial.Serial the driver uses


@takes_options(ReplayOptions)
def build(spec: DeviceSpec, bus: EventBus) -> ReplayedSerialBarcodeReader:
    recording, opts = recording_for(spec, DeviceClass.BARCODE_READER)
    facts = transport_facts(recording)
    serial_opts = driver_options(recording, SerialBarcodeOptions)
    service = ReplayedSerialBarcodeReader(
        spec.name, bus, str(facts.get("port") or recording.path), baud=serial_opts.baud,
        terminator=str(facts.get("terminator", serial_opts.terminator)),
        stale_s=float(facts.get("stale_s", serial_opts.stale_ms / 1000.0)), default_timeout=spec.timeout_s,
    )
    service.replay = ReplayCursor(recording, opts.speed, SERIAL_ERRORS)
    return service
