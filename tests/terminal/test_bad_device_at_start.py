"""At start-up a bad optional device comes up no_device saying why; a bad required one stops the terminal."""

from __future__ import annotations

import pytest

from kiosk.errors import ConfigError, RequiredDeviceConfigError
from kiosk.settings.model import TerminalConfig
from kiosk.terminal import DeviceClass, DeviceState
from kiosk.terminal.facade import Terminal


def config(required: bool) -> TerminalConfig:  # built without the loader, as a config that skipped `kiosk config check`
    return TerminalConfig.model_validate({
        "terminal": {"id": "T1", "hall": "大厅", "district_code": "500112", "district_name": "渝北区"},
        "platform": {"url": "https://platform.invalid", "enrollment_code": "TEST-ENROLL"},
        "devices": {"speaker": {"url": "sim:speaker", "required": required, "options": {"speed": "fast"}},
                    "idcard": {"url": "sim:idcard?card=zhangsan", "required": False}},
    })


def test_a_bad_optional_sim_speaker_is_no_device_and_the_others_are_built() -> None:
    terminal = Terminal(config(required=False))
    speaker = terminal.statuses()["speaker"]
    assert speaker.state is DeviceState.NO_DEVICE and "devices.speaker.options.speed" in speaker.description
    assert terminal.statuses()["idcard"].state is not DeviceState.NO_DEVICE
    assert terminal.devices[DeviceClass.ID_CARD_READER].capabilities().get("available", True) is not False


def test_a_bad_required_sim_speaker_stops_start_up_with_one_line() -> None:
    with pytest.raises(RequiredDeviceConfigError) as caught:
        Terminal(config(required=True))
    assert isinstance(caught.value, ConfigError) and "\n" not in str(caught.value)
    assert str(caught.value).startswith("required device speaker: devices.speaker.options.speed")
