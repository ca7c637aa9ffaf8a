"""On-screen keyboard: pinyin IME with a frequency-ranked candidate bar, Latin letters, digit pad and
the ID-number pad (digits + X). The IME engine is kiosk.ime (kivy-free); this is only the widget.

The lexicon is loaded on a worker thread when the keyboard is first shown (not at start-up: a terminal
that is only looked at should not hold it) and handed over with a Clock trigger, so no frame waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ime import Candidate, Composer, Lexicon, load

Builder.load_file(str(Path(__file__).with_name("keyboard.kv")))
QWERTY = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"]
DIGITS = ["123", "456", "789", "0"]
ID_PAD = ["123", "456", "789", "X0"]
MODES = ("pinyin", "letters", "digits", "id_number")


class LexiconLoader:
    """Loads the IME lexicon once, off the UI thread, on first demand; callbacks run on the Kivy thread."""

    def __init__(self) -> None:
        self.lexicon: Lexicon | None = None
        self.error = ""
        self._waiting: list[Callable[[Lexicon], None]] = []
        self._trigger = Clock.create_trigger(self._deliver, 0)
        self._thread = threading.Thread(target=self._run, name="ime-lexicon", daemon=True)
        self._start_lock = threading.Lock()

    def start(self) -> None:
        """Begin loading (idempotent): the keyboard calls it when it is first built."""
        with self._start_lock:
            if self._thread.ident is None:
                self._thread.start()

    def _run(self) -> None:
        try:
            self.lexicon = load()
        except Exception as exc:  # noqa: BLE001 — the keyboard shows it; letters and digits still work
            self.error = f"{type(exc).__name__}: {exc}"
        self._trigger()

    def _deliver(self, _dt: float = 0) -> None:
        if self.lexicon is not None:
            for callback in self._waiting:
                callback(self.lexicon)
            self._waiting.clear()

    def when_ready(self, callback: Callable[[Lexicon], None]) -> None:
        self.start()
        if self.lexicon is not None:
            callback(self.lexicon)
        else:
            self._waiting.append(callback)

    def wait(self, timeout: float = 30.0) -> Lexicon:
        """Tests and the headless demo: block until loaded."""
        self.start()
        self._thread.join(timeout)
        self._deliver()
        if self.lexicon is None:
            raise RuntimeError(self.error or "IME lexicon did not load")
        return self.lexicon


class OnScreenKeyboard(BoxLayout):
    mode = StringProperty("pinyin")
    preedit = StringProperty("")
    ready = BooleanProperty(False)
    target = ObjectProperty(None, allownone=True)

    def __init__(self, loader: LexiconLoader, on_done: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.composer: Composer | None = None
        self.hint = ""  # "name" while a person's name is typed: the engine offers surnames and given names first
        self._on_done = on_done
        loader.when_ready(self._lexicon_ready)
        self.build_keys()

    def _lexicon_ready(self, lexicon: Lexicon) -> None:
        self.composer = Composer(lexicon)
        self.composer.hint = self.hint
        self.ready = True
        self.refresh()

    # ----- layout -------------------------------------------------------------------------------
    def set_hint(self, hint: str) -> None:
        self.hint = hint
        if self.composer is not None:
            self.composer.hint = hint

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(mode)
        self.mode = mode
        if self.composer is not None:
            self.composer.clear()
        self.build_keys()
        self.refresh()

    def build_keys(self) -> None:
        rows = self.ids.rows
        rows.clear_widgets()
        layout = {"pinyin": QWERTY, "letters": QWERTY, "digits": DIGITS, "id_number": ID_PAD}[self.mode]
        for row in layout:
            line = BoxLayout(spacing=6)
            for key in row:
                line.add_widget(self._key(key.upper() if self.mode == "letters" else key, partial(self.press, key), name=key))
            rows.add_widget(line)
        bottom = BoxLayout(spacing=6)
        if self.mode in ("pinyin", "letters"):
            bottom.add_widget(self._key("中/英", self.toggle_language, "KGhost", name="toggle"))
            bottom.add_widget(self._key("空格", lambda: self.press(" "), name="space"))
        bottom.add_widget(self._key("删除", self.backspace, "KGhost", name="backspace"))
        bottom.add_widget(self._key("完成", self.done, name="done"))
        rows.add_widget(bottom)

    def _key(self, label: str, action: Callable[[], None], style: str = "KGhost", name: str = "") -> Any:
        button = getattr(Factory, style)(text=label, size_hint_y=1)
        button.key_name = name or label
        button.bind(on_release=lambda _b: action())
        return button

    def key(self, name: str) -> Any:
        """The key button labelled/named ``name`` (tests tap it with trigger_action or a touch)."""
        for line in self.ids.rows.children:
            for button in line.children:
                if getattr(button, "key_name", None) in (name, name.lower()) or button.text == name:
                    return button
        raise KeyError(name)

    # ----- behaviour ----------------------------------------------------------------------------
    def press(self, key: str) -> None:
        if self.mode == "pinyin" and key.isalpha() and self.composer is not None:
            self.composer.type(key)
            self.refresh()
            return
        if self.mode == "pinyin" and key == " " and self.composer is not None and self.composer.letters:
            first = self.composer.visible()
            if first:
                self.choose(first[0])
            return
        self._insert(key.upper() if self.mode in ("letters", "id_number") and key == "x" else key)

    def choose(self, candidate: Candidate) -> None:
        assert self.composer is not None
        self._insert(self.composer.choose(candidate))
        self.refresh()

    def candidate(self, text: str) -> Candidate:
        """Page through the bar until ``text`` is visible, like a citizen does; returns it."""
        assert self.composer is not None
        if self.composer.page != 0:
            self.composer.page = 0
            self.refresh()
        while True:
            for cand in self.composer.visible():
                if cand.text == text:
                    return cand
            before = self.composer.page
            self.ids.next_page.trigger_action(duration=0)
            if self.composer.page == before:
                raise KeyError(f"{text} not offered for {self.composer.preedit}")

    def candidate_button(self, text: str) -> Any:
        """The visible candidate button showing ``text`` (call ``candidate`` first to page to it)."""
        for button in self.ids.candidates.children:
            if button.text == text:
                return button
        raise KeyError(text)

    def backspace(self) -> None:
        if self.mode == "pinyin" and self.composer is not None and self.composer.backspace():
            self.refresh()
            return
        if self.target is not None:
            self.target.do_backspace()
        self.refresh()

    def toggle_language(self) -> None:
        self.set_mode("letters" if self.mode == "pinyin" else "pinyin")

    def page(self, step: int) -> None:
        if self.composer is not None:
            (self.composer.next_page if step > 0 else self.composer.prev_page)()
            self.refresh()

    def done(self) -> None:
        if self.composer is not None:
            self.composer.clear()
        self.refresh()
        self._on_done()

    def _insert(self, text: str) -> None:
        if self.target is not None and text:
            self.target.insert_text(text)

    @staticmethod
    def app_scale() -> float:
        from kivy.app import App

        app = App.get_running_app()
        return float(app.theme.scale) if app is not None else 1.0

    def on_size(self, *_args: Any) -> None:
        if getattr(self, "composer", None) is not None:
            self.refresh()

    def refresh(self) -> None:
        bar = self.ids.candidates
        bar.clear_widgets()
        if not hasattr(self, "composer"):
            return
        if self.mode != "pinyin":
            self.preedit = ""
            return
        if self.composer is None:
            self.preedit = "正在加载输入法…"
            return
        self.preedit = self.composer.preedit
        fits = max(3, int(bar.width // (64 * self.app_scale())))  # as many as fit: never overflow onto ◀ ▶
        if fits != self.composer.page_size:
            self.composer.page_size, self.composer.page = fits, 0
        for cand in self.composer.visible():
            button = Factory.KGhost(text=cand.text, size_hint=(1, 1), text_size=(None, None))
            button.font_name = "KioskCJK"
            button.bind(on_release=lambda _b, c=cand: self.choose(c))
            bar.add_widget(button)
