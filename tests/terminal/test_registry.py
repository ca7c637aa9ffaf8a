"""Device URLs, the driver table, and a missing driver library turning into an 'unavailable' status."""

from __future__ import annotations

import pytest

from kiosk.errors import ConfigError
from kiosk.terminal import CompletionCode, DeviceClass, DeviceSpec, DeviceState, DeviceUrl, EventBus, build_device


def spec(url: str, cls: DeviceClass = DeviceClass.CHIP_CARD_READER) -> DeviceSpec:
    return DeviceSpec(cls.value, cls, DeviceUrl.parse(url))


@pytest.mark.parametrize(
    ("raw", "scheme", "host", "port", "target", "query"),
    [
        ("serial:///dev/kiosk-idcard?baud=115200", "serial", "", None, "/dev/kiosk-idcard", {"baud": "115200"}),
        ("tcp://127.0.0.1:9100", "tcp", "127.0.0.1", 9100, "", {}),
        ("sane:test:0", "sane", "", None, "test:0", {}),
        ("pcsc:?reader=Virtual%20PCD%2000%2000", "pcsc", "", None, "", {"reader": "Virtual PCD 00 00"}),
        ("sim:idcard?card=zhangsan", "sim", "", None, "idcard", {"card": "zhangsan"}),
    ],
)
def test_device_urls_parse(raw: str, scheme: str, host: str, port: int | None, target: str, query: dict[str, str]) -> None:
    url = DeviceUrl.parse(raw)
    assert (url.scheme, url.host, url.port, url.target, url.query) == (scheme, host, port, target, query)


@pytest.mark.parametrize("raw", ["/dev/ttyUSB0", "tcp://host:notaport"])
def test_bad_urls_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        DeviceUrl.parse(raw)


def test_unknown_scheme_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no chipcard driver for scheme 'ftp'"):
        build_device(spec("ftp://x"), EventBus(), table={})


async def test_missing_driver_library_gives_unavailable_status_not_a_crash() -> None:
    table = {(DeviceClass.CHIP_CARD_READER, "pcsc"): "drivers.no_such_library_here:build"}
    device = build_device(spec("pcsc:"), EventBus(), table=table)
    assert device.status().state is DeviceState.NO_DEVICE
    assert "unavailable" in device.status().description
    assert device.capabilities()["available"] is False
    opened = await device.open()
    assert opened.code is CompletionCode.DEVICE_NOT_READY
    read = await device.read_card(timeout=1.0)  # any contract command answers, with the reason
    assert read.code is CompletionCode.DEVICE_NOT_READY and "unavailable" in read.description


def test_installed_entry_points_serve_the_product_schemes_and_the_sim() -> None:
    from kiosk.terminal.registry import known_schemes

    assert known_schemes(DeviceClass.RECEIPT_PRINTER) == ["file", "replay", "serial", "sim", "tcp", "usb"]
    assert "pcsc" in known_schemes(DeviceClass.CHIP_CARD_READER)
    with pytest.raises(ConfigError, match=r"no printer driver for scheme 'ftp' \(known: file, replay, serial, sim, tcp, usb\)"):
        build_device(spec("ftp://x", DeviceClass.RECEIPT_PRINTER), EventBus())
