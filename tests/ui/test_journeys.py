"""Three complete items tapped through the real widgets: an applicant, a 代办 agent, an elder-mode citizen."""

from __future__ import annotations

from PIL import Image

from kiosk.flows import intents as I
from screens.demo.journeys import household_by_agent, housing_fund_elder, sscard_replacement


def _set_fields(port) -> dict[str, str]:
    return {i.field: i.value for i in port.sent if isinstance(i, I.SetField)}


def _check_receipt(path) -> None:
    with Image.open(path) as image:
        assert image.width >= 576 and image.height > 400  # an 80 mm roll rendered from the ESC/POS bytes


def test_applicant_types_rare_name_and_address(journey):
    result = sscard_replacement(journey)
    values = _set_fields(journey.port)
    assert "张䶮" in values.values()  # 䶮 typed on the on-screen keyboard (paged to in the candidate bar)
    assert any(v.startswith("重庆市渝北区88号") for v in values.values())
    assert journey.screens[:4] == ["attract", "home", "home", "identify"]
    for kind in ("guide", "notice", "form", "materials", "signature", "confirm", "progress", "receipt", "evaluate"):
        assert kind in journey.screens
    signed = [i for i in journey.port.sent if isinstance(i, I.Sign)]
    assert signed and signed[0].png.startswith(b"\x89PNG")
    _check_receipt(result["receipt"])
    assert journey.port.sent[-1] == I.Finish() and journey.driver.app.current_vm.kind == "attract"


def test_agent_flow_with_rare_ji(journey):
    result = household_by_agent(journey)
    assert any(isinstance(i, I.Choose) and i.value == "agent" for i in journey.port.sent)
    assert "王𠮷" in _set_fields(journey.port).values()
    assert journey.screens.count("identify") >= 4  # agent card + face, then the principal's card
    _check_receipt(result["receipt"])


def test_elder_mode_journey(journey):
    result = housing_fund_elder(journey)
    app = journey.driver.app
    assert app.theme.scale >= 1.5 and app.theme.bg[:3] == [0, 0, 0]  # large type, high contrast
    assert app.bottom_bar.ids.help.opacity == 1  # 帮办 always one tap away
    assert len(result["spoken"]) >= 8 and "请确认申请信息" in result["spoken"]  # every step spoken
    _check_receipt(result["receipt"])
    journey.tap_attract()
    journey.at("home")
    journey.driver.tap(app.bottom_bar.ids.elder)  # and back to standard
    journey.driver.pump(2)
    assert app.theme.scale == 1.0
