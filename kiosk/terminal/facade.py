"""Terminal: the one facade flows use for every device (and, once attached, the platform and store)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from kiosk.errors import ConfigError, RequiredDeviceConfigError
from kiosk.terminal.completion import Completion
from kiosk.terminal.contracts import (
    BarcodeReader,
    Camera,
    ChipCardReader,
    DocumentCamera,
    DocumentPrinter,
    IdCardReader,
    ReceiptPrinter,
    Scanner,
    Speaker,
)
from kiosk.terminal.device import DeviceService, UnavailableDevice
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, DriverTable, build_device
from kiosk.terminal.status import DeviceClass, DeviceStatus
from kiosk.terminal.supervisor import DeviceSupervisor, SupervisorPolicy

if TYPE_CHECKING:  # the settings model imports the registry; avoid the cycle at run time
    from kiosk.settings.model import TerminalConfig

log = logging.getLogger(__name__)


class Terminal:
    """Owns the device services built from config, the event bus, and the attached services.

    Raises RequiredDeviceConfigError (a ConfigError: ``kiosk run`` exits EXIT_CONFIG) when a required
    device's scheme or options are invalid; an invalid optional device is an UnavailableDevice saying why.
    """

    def __init__(self, config: TerminalConfig, bus: EventBus | None = None, table: DriverTable | None = None) -> None:
        self.config = config
        self.bus = bus or EventBus()
        self.specs: dict[DeviceClass, DeviceSpec] = {
            cls: DeviceSpec(cls.value, cls, DeviceUrl.parse(entry.url), entry.required, entry.timeout_s, dict(entry.options))
            for cls, entry in config.devices.items()
        }
        self.devices: dict[DeviceClass, DeviceService] = {cls: self._build(spec, table) for cls, spec in self.specs.items()}
        self.services: dict[str, Any] = {}  # platform client, store, outbox … attached by the app wiring
        self.supervisor: DeviceSupervisor | None = None  # attached by the composition root (supervise)

    def supervise(self, policy: SupervisorPolicy | None = None) -> DeviceSupervisor:
        """Attach the device supervisor: ``start()`` then starts it after opening, ``stop()`` awaits its stop."""
        self.supervisor = DeviceSupervisor({cls.value: d for cls, d in self.devices.items()}, self.bus, policy)
        return self.supervisor

    def _build(self, spec: DeviceSpec, table: DriverTable | None) -> DeviceService:
        """A bad spec (scheme, option) stops start-up for a required device; an optional one comes up no_device."""
        try:
            return build_device(spec, self.bus, table)
        except ConfigError as exc:
            if spec.required:
                raise RequiredDeviceConfigError(spec.name, exc.problems) from None
            reason = "; ".join(exc.problems)
            log.warning("optional device %s left out: %s", spec.name, reason)
            return UnavailableDevice(spec.name, spec.device_class, self.bus, f"configuration: {reason}")

    # ----- typed access -------------------------------------------------------------------------
    def _get(self, cls: DeviceClass) -> Any:
        """The device service of ``cls`` (it implements that class's contract), or None when not configured."""
        return self.devices.get(cls)

    @property
    def idcard(self) -> IdCardReader | None:
        return self._get(DeviceClass.ID_CARD_READER)

    @property
    def chipcard(self) -> ChipCardReader | None:
        return self._get(DeviceClass.CHIP_CARD_READER)

    @property
    def barcode(self) -> BarcodeReader | None:
        return self._get(DeviceClass.BARCODE_READER)

    @property
    def camera(self) -> Camera | None:
        return self._get(DeviceClass.CAMERA)

    @property
    def doccam(self) -> DocumentCamera | None:
        return self._get(DeviceClass.DOCUMENT_CAMERA)

    @property
    def scanner(self) -> Scanner | None:
        return self._get(DeviceClass.SCANNER)

    @property
    def printer(self) -> ReceiptPrinter | None:
        return self._get(DeviceClass.RECEIPT_PRINTER)

    @property
    def a4printer(self) -> DocumentPrinter | None:
        return self._get(DeviceClass.DOCUMENT_PRINTER)

    @property
    def speaker(self) -> Speaker | None:
        return self._get(DeviceClass.SPEAKER)

    # ----- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> dict[DeviceClass, Completion[None]]:
        """Open every device concurrently; a device that fails to open stays with a status saying why."""
        classes = list(self.devices)
        results = await asyncio.gather(*(self.devices[c].open(self.specs[c].timeout_s) for c in classes))
        for cls, result in zip(classes, results, strict=True):
            if not result.ok:
                log.warning("device %s did not open: %s", cls.value, result.description)
        if self.supervisor is not None:
            await self.supervisor.start()
        return dict(zip(classes, results, strict=True))

    async def stop(self) -> None:
        if self.supervisor is not None:
            await self.supervisor.stop()
        await asyncio.gather(*(device.close() for device in self.devices.values()), return_exceptions=True)

    def cancel_all(self, reason: str = "session ended") -> int:
        """Cancel every device command in flight (the idle timeout calls this); returns how many ran."""
        return sum(1 for device in self.devices.values() if device.cancel(reason))

    def cancel(self, request_id: int, reason: str = "canceled") -> bool:
        """Cancel the one command with ``request_id``, whichever device runs or queues it."""
        return any(device.cancel(reason, request_id=request_id) for device in self.devices.values())

    def statuses(self) -> dict[str, DeviceStatus]:
        return {cls.value: device.status() for cls, device in self.devices.items()}

    def required_down(self) -> list[DeviceStatus]:
        return [d.status() for c, d in self.devices.items() if self.specs[c].required and not d.status().ready]
