"""The screens on the REAL flow engine: kiosk.flows.port.FlowRuntime (Controller, sim devices, embedded
platform on its own loop thread) drives the same widgets; the ID card emulator's card identifies."""

from __future__ import annotations

import time

import pytest

from kiosk.flows import intents as I
from kiosk.assembly import assemble
from sim.config import demo_config


@pytest.fixture()
def runtime(ui, tmp_path):
    driver, story = ui
    flow = assemble(demo_config(data_dir=tmp_path)).runtime.start()
    driver.app.attach(flow)
    yield driver, flow
    driver.app.attach(story)
    flow.stop()
    story.send(I.Cancel())
    driver.pump(2)


def test_real_controller_renders_through_the_screens(runtime):
    from sim.ui.journeys import Journey

    driver, flow = runtime
    journey = Journey(driver, flow, None)
    journey.at("attract")
    assert driver.app.current_vm.high_frequency  # the controller's own attract view-model
    journey.tap_attract()
    journey.at("home")
    journey.press("home", "住房公积金个人缴存证明打印")
    journey.at("identify")
    journey.press("identify", "身份证")
    deadline = time.monotonic() + 20  # the sim reader has a card on it: the real driver reads it
    while driver.app.current_vm.kind == "identify" and time.monotonic() < deadline:
        driver.pump(1)
        time.sleep(0.02)
    assert driver.app.current_vm.kind in ("guide", "form", "notice")
    screen = journey.at(driver.app.current_vm.kind)
    assert screen.vm is driver.app.current_vm
