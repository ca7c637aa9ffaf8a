"""librime as the keyboard's input method: one engine per process, one session per keyboard.

Privacy: librime runs on the compiled data in the cache (read only) with a user data dir that is a
fresh temporary directory, removed when the method is closed or the process exits; the schema has
``enable_user_dict: false``, so nothing a citizen types (a name) is learned or written anywhere.

Rare characters: librime knows 䶮 under ``yan``; a character with no reading at all (𠮷) is offered
right after the common form Unihan names as its variant (吉 → 𠮷), as the fallback did; choosing it
selects the common form in librime and substitutes the rare one in the committed text.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

from kiosk.ime import rime_data
from kiosk.ime.candidate import Candidate
from kiosk.ime.engine import InputMethod, Session
from kiosk.ime.names import INDEX, NameGuesser
from kiosk.ime.rime import Rime, RimeUnavailable

BACKSPACE = 0xFF08  # XK_BackSpace
USER_DIR_PREFIX = "kiosk-rime-user-"


def sweep_abandoned(base: Path | None = None) -> list[Path]:
    """Remove the throwaway user dirs of processes that died without cleaning up (a crash, SIGKILL)."""
    removed = []
    for path in (base or Path(tempfile.gettempdir())).glob(f"{USER_DIR_PREFIX}*-*"):
        pid = path.name[len(USER_DIR_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        except PermissionError:
            pass  # alive, another user's
    return removed


class RimeInputMethod(InputMethod):
    name = "librime"

    def __init__(self, cache_root: Path | None = None) -> None:
        self.rime = Rime.get()
        self.data_dir = rime_data.deployed(cache_root)
        rare = self.data_dir / rime_data.RARE
        self.variants: dict[str, list[str]] = json.loads(rare.read_text(encoding="utf-8")) if rare.is_file() else {}
        self.names = NameGuesser.load(self.data_dir / INDEX)
        sweep_abandoned()
        self.user_dir = Path(tempfile.mkdtemp(prefix=f"{USER_DIR_PREFIX}{os.getpid()}-"))
        self._lock = threading.Lock()
        self._closed = False
        self.rime.start(shared=self.data_dir, user=self.user_dir, prebuilt=self.data_dir / "build",
                        staging=self.user_dir / "build", log_dir=self.user_dir)
        self.reason = f"librime {self.rime.version}, schema {rime_data.SCHEMA} ({self.data_dir})"
        atexit.register(self.close)
        try:  # a session now, so data librime cannot use means the fallback at load, not a failing keyboard later
            RimeSession(self).close()
        except RimeUnavailable:
            self.close()
            raise

    def session(self) -> Session:
        return RimeSession(self)

    def close(self) -> None:
        """Stop librime and remove its throwaway user dir (whatever it holds goes with it)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.rime.stop()
            shutil.rmtree(self.user_dir, ignore_errors=True)


class RimeSession:
    def __init__(self, method: RimeInputMethod) -> None:
        self.method = method
        self.rime = method.rime
        self.id = self.rime.create_session(rime_data.SCHEMA)
        self._swaps: list[tuple[str, str]] = []  # (common form chosen in librime, rare form wanted)
        self.hint = ""  # "name": the keyboard types into a name field (kiosk.ime.names)

    @property
    def letters(self) -> str:
        return self.rime.input(self.id)

    @property
    def preedit(self) -> str:
        text = self.rime.context(self.id).preedit
        return _swap(text, self._swaps) if self._swaps else text

    def type(self, letter: str) -> None:
        self.rime.process_key(self.id, ord(letter))

    def backspace(self) -> bool:
        if not self.letters:
            self._swaps.clear()
            return False
        self.rime.process_key(self.id, BACKSPACE)
        if not self.letters:
            self._swaps.clear()
        return True

    def clear(self) -> None:
        self.rime.clear(self.id)
        self._swaps.clear()

    def choose(self, candidate: Candidate) -> str:
        if candidate.index < 0:  # a guessed name: it stands for the whole composition
            self.clear()
            return candidate.text
        if candidate.base:
            self._swaps.append((candidate.base, candidate.text))
        self.rime.select(self.id, candidate.index)
        text = self.rime.commit(self.id)
        if text:
            text, self._swaps = _swap(text, self._swaps), []
        return text

    def candidates(self, limit: int) -> list[Candidate]:
        found: list[Candidate] = []
        for index, text in enumerate(self.rime.candidates(self.id, 0, limit)):
            found.append(Candidate(text, index=index))
            found.extend(Candidate(rare, index=index, base=text) for rare in self.method.variants.get(text, []))
        if self.hint == "name" and found:
            self._offer_name(found)
        return found

    def _offer_name(self, found: list[Candidate]) -> None:
        preedit = self.rime.context(self.id).preedit
        if not (preedit.isascii() and preedit.replace(" ", "").isalpha()):
            return  # part of the input already chosen: librime's candidates are for the rest
        syllables = preedit.split()
        name = self.method.names.guess(syllables)
        if not name or name == found[0].text:
            return
        at = 1 if self.method.names.reads_as_name(found[0].text, syllables) else 0
        found.insert(at, Candidate(name, index=-1))

    def close(self) -> None:
        self.rime.destroy_session(self.id)


def _swap(text: str, swaps: list[tuple[str, str]]) -> str:
    """Replace each chosen common form by its rare form, left to right (吉 → 𠮷)."""
    out, start = text, 0
    for common, rare in swaps:
        at = out.find(common, start)
        if at >= 0:
            out = out[:at] + rare + out[at + len(common):]
            start = at + len(rare)
    return out
