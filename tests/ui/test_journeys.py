"""Complete items tapped through the real widgets on the REAL flow engine (FlowRuntime: Controller,
sim devices, embedded platform): a 代办 agent, an elder-mode citizen, and the citizen services."""

from __future__ import annotations

import time

import pytest
from PIL import Image

from kiosk.flows import intents as I


@pytest.fixture(scope="module")
def real(ui, tmp_path_factory):
    """The session's window attached to a FlowRuntime for this module (data in a fresh directory)."""
    from kiosk.assembly import assemble
    from sim.config import demo_config
    from sim.ui.journeys import RecordingPort

    driver, story = ui
    flow = assemble(demo_config(data_dir=tmp_path_factory.mktemp("kiosk-data"))).runtime.start()
    port = RecordingPort(flow)
    driver.app.attach(port)
    yield driver, port
    driver.app.attach(story)
    flow.stop()
    time.sleep(1.5)  # pcscd notices the sim chip-card reader going away in its slot poll; the next module's reader is new
    story.send(I.Cancel())
    driver.pump(2)


@pytest.fixture()
def journey(real, tmp_path):
    from sim.ui.journeys import Journey

    driver, port = real
    port.sent.clear()
    return Journey(driver, port, None, receipts_dir=tmp_path)


def _check_receipt(path) -> None:
    with Image.open(path) as image:  # rendered from the ESC/POS bytes the sim printer received
        assert image.width >= 576 and image.height > 400


def test_agent_item_reads_both_cards_and_prints_the_receipt(journey):
    from sim.ui.journeys import agent_item

    agent_item(journey)
    sent = journey.port.sent
    assert [i.agent for i in sent if isinstance(i, I.Start)] == [False, True]  # the item, then the 为他人代办 button
    assert I.Choose("method", "idcard_face") in sent and I.Choose("principal", "card") in sent  # both tapped
    assert journey.screens.count("identify:insert_card") == 2  # the agent's card, then the principal's
    assert any(isinstance(i, I.SetField) for i in sent) and any(isinstance(i, I.Sign) for i in sent)
    assert journey.last_receipt_number.startswith("CQ-")
    _check_receipt(journey.receipts[-1])
    assert journey.screens[-1] == "attract:after"


def test_elder_item_on_the_real_controller(journey):
    from sim.ui.journeys import elder_item

    elder_item(journey, on_home=False)
    assert I.ToggleElder() in journey.port.sent and "identify:elder" in journey.screens
    for kind in ("identify:choose", "form:filled", "confirm", "receipt", "evaluate"):
        assert kind in journey.screens
    _check_receipt(journey.receipts[-1])
    assert not journey.driver.app.theme.elder  # the session ended: the next citizen starts in standard mode


def test_services_case_status_faq_centres_help(journey):
    from sim.ui.journeys import services_tour

    services_tour(journey)
    for kind in ("case_status:scan", "case_status:result", "centres", "faq:answer", "help"):
        assert kind in journey.screens
    assert I.OpenService("faq") in journey.port.sent
    assert any(isinstance(i, I.SubmitText) and "社保卡丢" in i.text for i in journey.port.sent)


def test_a_search_answered_while_the_citizen_types_on_keeps_the_letters_typed_since(journey):
    """The home screen searches 0.25 s after a keystroke. The engine's answer (a HomeVM carrying the query it
    searched) can arrive after the next letter is typed; it must not put the field back to the older query
    (the elder demo typed zfgjjgrjc and searched zfgjjrc, which finds nothing)."""
    j = journey
    j.home()
    home = j.driver.screen("home")
    j.driver.tap(home.ids.query)
    keyboard = j.driver.app.keyboard
    for ch in "zf":
        j.driver.tap(keyboard.key(ch), frames=0)
    searches = sum(isinstance(i, I.Search) for i in j.port.sent)
    deadline = time.monotonic() + 5
    while sum(isinstance(i, I.Search) for i in j.port.sent) == searches:  # frames until the trigger sends Search('zf')
        assert time.monotonic() < deadline, "no search sent"
        j.driver.pump(1)
    time.sleep(0.5)  # the engine answers on its thread; the answer waits for the next frame
    keyboard.press("g")  # the citizen's next letter, typed before that frame
    j.until(lambda: j.vm.query == "zfg", "the search for zfg", 5)
    assert home.ids.query.text == "zfg"
    assert I.Search("zfg", None) in j.port.sent
    j.keyboard_done()
    j.bar("home")
    j.driver.wait_for("attract")
