"""The registry validates a device's options with its factory's model; Terminal: optional → no_device, required → stops."""

from __future__ import annotations

import pytest

from kiosk.errors import ConfigError, RequiredDeviceConfigError
from kiosk.settings.model import TerminalConfig
from kiosk.terminal import DeviceClass, DeviceSpec, DeviceState, DeviceUrl, EventBus, build_device
from kiosk.terminal.facade import Terminal
from kiosk.terminal.registry import check_spec
from tests.terminal.option_drivers import BenchOptions, OptionBench

TABLE = {(DeviceClass.SPEAKER, "bench"): "tests.terminal.option_drivers:build"}


def spec(url: str, **options: object) -> DeviceSpec:
    return DeviceSpec("speaker", DeviceClass.SPEAKER, DeviceUrl.parse(url), options=dict(options))


def config(url: str, required: bool) -> TerminalConfig:
    return TerminalConfig.model_validate({
        "terminal": {"id": "T1", "hall": "大厅", "district_code": "500112", "district_name": "渝北区"},
        "platform": {"url": "https://platform.invalid", "enrollment_code": "TEST-ENROLL"},
        "devices": {"speaker": {"url": url, "required": required}},
    })


def test_check_spec_returns_the_spec_with_typed_options() -> None:
    checked = check_spec(spec("bench:x?rate_wpm=120", voice="en"), TABLE)
    assert checked.settings == BenchOptions(rate_wpm=120, voice="en")


def test_the_factory_receives_the_validated_options() -> None:
    device = build_device(spec("bench:x?rate_wpm=120"), EventBus(), TABLE)
    assert isinstance(device, OptionBench) and device.options.rate_wpm == 120


def test_a_bad_option_names_device_key_and_why() -> None:
    with pytest.raises(ConfigError) as caught:
        check_spec(spec("bench:x?rate_wpm=fast", pitch=3), TABLE)
    assert sorted(p.split(":")[0] for p in caught.value.problems) == ["devices.speaker.options.pitch", "devices.speaker.url ?rate_wpm="]


def test_a_bad_optional_device_comes_up_no_device_with_the_reason() -> None:
    terminal = Terminal(config("bench:x?rate_wpm=fast", required=False), table=TABLE)
    status = terminal.statuses()["speaker"]
    assert status.state is DeviceState.NO_DEVICE
    assert "rate_wpm" in status.description and "fast" in status.description


def test_a_bad_required_device_stops_the_terminal() -> None:
    with pytest.raises(RequiredDeviceConfigError) as caught:
        Terminal(config("bench:x?rate_wpm=fast", required=True), table=TABLE)
    assert caught.value.device == "speaker" and "rate_wpm" in str(caught.value)
    assert isinstance(caught.value, ConfigError)


def test_a_good_device_is_built() -> None:
    terminal = Terminal(config("bench:x?rate_wpm=200", required=True), table=TABLE)
    device = terminal.devices[DeviceClass.SPEAKER]
    assert isinstance(device, OptionBench) and device.options.rate_wpm == 200
