"""Every driver the embedded default builds implements its class's contract (checked, not assumed)."""

from __future__ import annotations

import pytest

from kiosk.terminal import contracts
from kiosk.terminal.events import EventBus
from kiosk.terminal.facade import Terminal
from kiosk.terminal.status import DeviceClass
from sim.config import demo_config

CONTRACT = {
    DeviceClass.ID_CARD_READER: contracts.IdCardReader,
    DeviceClass.CHIP_CARD_READER: contracts.ChipCardReader,
    DeviceClass.BARCODE_READER: contracts.BarcodeReader,
    DeviceClass.CAMERA: contracts.Camera,
    DeviceClass.DOCUMENT_CAMERA: contracts.DocumentCamera,
    DeviceClass.SCANNER: contracts.Scanner,
    DeviceClass.RECEIPT_PRINTER: contracts.ReceiptPrinter,
    DeviceClass.DOCUMENT_PRINTER: contracts.DocumentPrinter,
    DeviceClass.SPEAKER: contracts.Speaker,
}


@pytest.fixture(scope="module")
def terminal() -> Terminal:
    return Terminal(demo_config(), EventBus())  # factories build services; nothing is opened


def test_default_config_covers_every_device_class(terminal: Terminal) -> None:
    assert set(terminal.devices) == set(DeviceClass)


@pytest.mark.parametrize("device_class", list(DeviceClass), ids=lambda c: c.value)
def test_driver_implements_its_contract(terminal: Terminal, device_class: DeviceClass) -> None:
    device = terminal.devices[device_class]
    contract = CONTRACT[device_class]
    missing = [name for name in dir(contract) if not name.startswith("_") and not hasattr(device, name)]
    assert missing == [], f"{type(device).__name__} lacks {missing}"
    assert isinstance(device, contract)
