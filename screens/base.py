"""BaseScreen: renders one view-model kind, sends intents; no screen knows the flow engine or devices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.app import App
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.flows.intents import Intent
from kiosk.flows.viewmodels import ViewModel

REGISTRY: dict[str, type[BaseScreen]] = {}


def screen(kind: str) -> Callable[[type[BaseScreen]], type[BaseScreen]]:
    """Class decorator: this screen renders view-models whose ``kind`` is ``kind``."""

    def register(cls: type[BaseScreen]) -> type[BaseScreen]:
        cls.kind = kind
        REGISTRY[kind] = cls
        return cls

    return register


class BaseScreen(Screen):
    kind = "base"
    vm = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("name", self.kind)
        super().__init__(**kwargs)

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def tr(self, text: str) -> str:
        return self.app.tr(text) if self.app else text

    def send(self, intent: Intent) -> None:
        self.app.send(intent)

    def render(self, vm: ViewModel) -> None:
        """Default: keep the snapshot; kv rules bind to ``root.vm``. Screens with lists override."""
        self.vm = vm


def fill_buttons(container: Any, entries: list[tuple[str, Callable[[], None]]], style: str = "KButton") -> list[Any]:
    """Replace ``container``'s children with one styled button per (label, action)."""
    from kivy.factory import Factory

    key = (style, tuple(label for label, _ in entries))
    if getattr(container, "_filled", None) == key:  # same buttons: keep the widgets (and their text textures)
        buttons = list(reversed(container.children))
        for button, (_, action) in zip(buttons, entries, strict=True):
            button.action = action
        return buttons
    container.clear_widgets()
    buttons = []
    for label, action in entries:
        button = getattr(Factory, style)(text=label)
        button.action = action
        button.bind(on_release=lambda b: b.action())
        container.add_widget(button)
        buttons.append(button)
    container._filled = key
    return buttons


def fill_labels(container: Any, lines: list[str], style: str = "KLabel") -> None:
    from kivy.factory import Factory

    key = (style, tuple(lines))
    if getattr(container, "_filled", None) == key:
        return
    container.clear_widgets()
    container._filled = key
    for line in lines:
        container.add_widget(getattr(Factory, style)(text=line))
