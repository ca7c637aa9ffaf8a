"""帮办: a staff member is called to the terminal; the citizen sees that help is on its way."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from screens.base import BaseScreen, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("help")
class HelpScreen(BaseScreen):
    pass
