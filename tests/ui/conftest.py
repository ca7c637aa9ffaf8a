"""UI tests: one real Kivy window per test process (offscreen SDL when there is no display), half size
so llvmpipe draws fast; the app is driven frame by frame through real touches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from screens import env

env.prepare("portrait", headless=not os.environ.get("DISPLAY"), scale=0.5)


@pytest.fixture(scope="session")
def ui(tmp_path_factory: pytest.TempPathFactory):
    from screens.app import KioskApp, UiOptions
    from screens.demo.story import StoryPort
    from screens.driver import Driver

    port = StoryPort(out_dir=tmp_path_factory.mktemp("receipts"))
    app = KioskApp(port, UiOptions(tech_hold_s=0.4))
    driver = Driver(app).start()
    app.ime_loader.wait()
    yield driver, port
    driver.stop()


@pytest.fixture()
def journey(ui, tmp_path: Path):
    """A journey starting from the attract screen with a fresh session."""
    from screens.demo.journeys import Journey

    driver, port = ui
    port.elder = False
    port.out_of_service = ""
    if driver.app.language != "zh_CN":
        driver.app.toggle_language()
    port.send(__import__("kiosk.flows.intents", fromlist=["Cancel"]).Cancel())
    driver.pump(2)
    return Journey(driver, port, None)
