"""A thin ctypes binding to librime's C API (Debian ``librime1`` 1.8.5): only what the keyboard needs.

Why ctypes: nothing has to be compiled on the terminal. Most calls are the exported ``Rime*``
functions; the three that 1.8.5 offers only in the ``RimeApi`` table of ``rime_get_api()``
(get_input, select_candidate, get_version) are read from it by slot number, and the table's layout
is checked at load against the exported functions in the same table (create_session, process_key,
candidate_list_from_index): a librime whose table moved is refused rather than called blindly.
The structures follow ``/usr/include/rime_api.h`` of librime 1.8.5 (``librime-dev``) field for field;
``data_size`` is set the way ``RIME_STRUCT_INIT`` does (size of the struct minus the ``int`` itself).

librime keeps one global engine per process: ``setup`` once, then ``initialize``/``finalize``;
:class:`Rime` serialises every call with one lock because the keyboard and a deploy may race.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from ctypes import POINTER, Structure, c_char_p, c_int, c_size_t, c_void_p
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KioskError

SessionId = ctypes.c_size_t  # uintptr_t
LIBRARY = "librime.so.1"


class RimeUnavailable(KioskError):
    """librime (or its pinyin data) is not installed or did not start: the IME falls back."""


class RimeTraits(Structure):
    _fields_ = [
        ("data_size", c_int),
        ("shared_data_dir", c_char_p),
        ("user_data_dir", c_char_p),
        ("distribution_name", c_char_p),
        ("distribution_code_name", c_char_p),
        ("distribution_version", c_char_p),
        ("app_name", c_char_p),
        ("modules", POINTER(c_char_p)),
        ("min_log_level", c_int),
        ("log_dir", c_char_p),
        ("prebuilt_data_dir", c_char_p),
        ("staging_dir", c_char_p),
    ]


class RimeComposition(Structure):
    _fields_ = [("length", c_int), ("cursor_pos", c_int), ("sel_start", c_int), ("sel_end", c_int),
                ("preedit", c_char_p)]


class RimeCandidate(Structure):
    _fields_ = [("text", c_char_p), ("comment", c_char_p), ("reserved", c_void_p)]


class RimeMenu(Structure):
    _fields_ = [("page_size", c_int), ("page_no", c_int), ("is_last_page", c_int),
                ("highlighted_candidate_index", c_int), ("num_candidates", c_int),
                ("candidates", POINTER(RimeCandidate)), ("select_keys", c_char_p)]


class RimeContext(Structure):
    _fields_ = [("data_size", c_int), ("composition", RimeComposition), ("menu", RimeMenu),
                ("commit_text_preview", c_char_p), ("select_labels", POINTER(c_char_p))]


class RimeCommit(Structure):
    _fields_ = [("data_size", c_int), ("text", c_char_p)]


class RimeCandidateListIterator(Structure):
    _fields_ = [("ptr", c_void_p), ("index", c_int), ("candidate", RimeCandidate)]


def _init(struct: Structure) -> Structure:
    struct.data_size = ctypes.sizeof(type(struct)) - ctypes.sizeof(c_int)
    return struct


def _text(raw: bytes | None) -> str:
    return raw.decode("utf-8", "replace") if raw else ""


@dataclass(frozen=True)
class Context:
    preedit: str
    cursor: int


_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "RimeSetup": (None, [POINTER(RimeTraits)]),
    "RimeInitialize": (None, [POINTER(RimeTraits)]),
    "RimeFinalize": (None, []),
    "RimeDeployerInitialize": (None, [POINTER(RimeTraits)]),
    "RimeDeployWorkspace": (c_int, []),
    "RimeCreateSession": (SessionId, []),
    "RimeDestroySession": (c_int, [SessionId]),
    "RimeSelectSchema": (c_int, [SessionId, c_char_p]),
    "RimeGetCurrentSchema": (c_int, [SessionId, c_char_p, c_size_t]),
    "RimeSetOption": (None, [SessionId, c_char_p, c_int]),
    "RimeProcessKey": (c_int, [SessionId, c_int, c_int]),
    "RimeClearComposition": (None, [SessionId]),
    "RimeGetCommit": (c_int, [SessionId, POINTER(RimeCommit)]),
    "RimeFreeCommit": (c_int, [POINTER(RimeCommit)]),
    "RimeGetContext": (c_int, [SessionId, POINTER(RimeContext)]),
    "RimeFreeContext": (c_int, [POINTER(RimeContext)]),
    "RimeCandidateListFromIndex": (c_int, [SessionId, POINTER(RimeCandidateListIterator), c_int]),
    "RimeCandidateListNext": (c_int, [POINTER(RimeCandidateListIterator)]),
    "RimeCandidateListEnd": (None, [POINTER(RimeCandidateListIterator)]),
}


# Slots of RimeApi (after data_size) as declared in rime_api.h 1.8.5; the checks are exported too.
_SLOT = {"create_session": 13, "process_key": 18, "get_input": 69, "select_candidate": 71,
         "get_version": 72, "candidate_list_from_index": 79}
_CHECKED = {"create_session": "RimeCreateSession", "process_key": "RimeProcessKey",
            "candidate_list_from_index": "RimeCandidateListFromIndex"}


class _ApiTable(Structure):
    _fields_ = [("data_size", c_int), ("slots", c_void_p * 88)]


def _api_table(lib: ctypes.CDLL) -> list[int]:
    get_api = lib.rime_get_api
    get_api.restype = POINTER(_ApiTable)
    get_api.argtypes = []
    api = get_api().contents
    slots = [int(slot or 0) for slot in api.slots]
    for slot, exported in _CHECKED.items():
        address = ctypes.cast(getattr(lib, exported), c_void_p).value
        if slots[_SLOT[slot]] != address:
            raise RimeUnavailable(f"librime's RimeApi layout differs from rime_api.h 1.8.5 at {slot}")
    if api.data_size < ctypes.sizeof(c_void_p) * (max(_SLOT.values()) + 1):
        raise RimeUnavailable("librime's RimeApi is older than 1.8.5")
    return slots


class Rime:
    """The process-wide librime: ``start`` it on data directories, then open sessions."""

    _instance: Rime | None = None
    _class_lock = threading.Lock()

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib = lib
        self.lock = threading.RLock()
        self._set_up = False
        self._running = False
        self._keep: list[object] = []  # the traits' strings must outlive the calls that read them
        for name, (restype, argtypes) in _SIGNATURES.items():
            function = getattr(lib, name)
            function.restype = restype
            function.argtypes = argtypes
        table = _api_table(lib)
        self._get_input = ctypes.CFUNCTYPE(c_char_p, SessionId)(table[_SLOT["get_input"]])
        self._select = ctypes.CFUNCTYPE(c_int, SessionId, c_size_t)(table[_SLOT["select_candidate"]])
        self.version = _text(ctypes.CFUNCTYPE(c_char_p)(table[_SLOT["get_version"]])())

    @classmethod
    def get(cls) -> Rime:
        """The loaded library; RimeUnavailable when librime1 is not installed."""
        with cls._class_lock:
            if cls._instance is None:
                try:
                    lib = ctypes.CDLL(ctypes.util.find_library("rime") or LIBRARY)
                except OSError as exc:
                    raise RimeUnavailable(f"librime not loadable ({exc}); install librime1") from exc
                cls._instance = cls(lib)
            return cls._instance

    def _traits(self, shared: Path, user: Path, prebuilt: Path | None, staging: Path | None,
                log_dir: Path) -> RimeTraits:
        def keep(value: str) -> bytes:
            raw = value.encode()
            self._keep.append(raw)
            return raw

        traits = RimeTraits()
        _init(traits)
        traits.shared_data_dir = keep(str(shared))
        traits.user_data_dir = keep(str(user))
        traits.distribution_name = keep("yukuaiban-kiosk")
        traits.distribution_code_name = keep("kiosk")
        traits.distribution_version = keep("1")
        traits.app_name = keep("rime.kiosk")
        traits.min_log_level = 2  # errors only: INFO lines would name what citizens typed
        traits.log_dir = keep(str(log_dir))
        if prebuilt is not None:
            traits.prebuilt_data_dir = keep(str(prebuilt))
        if staging is not None:
            traits.staging_dir = keep(str(staging))
        return traits

    def deploy(self, shared: Path, user: Path, log_dir: Path) -> bool:
        """Compile the schemas listed in ``user``/default.custom.yaml into ``user``/build (the deployer)."""
        with self.lock:
            self.stop()
            traits = self._traits(shared, user, None, None, log_dir)
            self._setup_once(traits)
            self.lib.RimeDeployerInitialize(ctypes.byref(traits))
            try:
                return bool(self.lib.RimeDeployWorkspace())
            finally:
                self.lib.RimeFinalize()  # unloads the deployer's modules, or a later start finds no engine

    def start(self, shared: Path, user: Path, prebuilt: Path, staging: Path, log_dir: Path) -> None:
        """Run the engine on already compiled data (``prebuilt``); nothing is deployed or learned."""
        with self.lock:
            self.stop()
            traits = self._traits(shared, user, prebuilt, staging, log_dir)
            self._setup_once(traits)
            self.lib.RimeInitialize(ctypes.byref(traits))
            self._running = True

    @property
    def running(self) -> bool:
        return self._running

    def stop(self) -> None:
        with self.lock:
            if self._running:
                self.lib.RimeFinalize()
                self._running = False

    def _setup_once(self, traits: RimeTraits) -> None:
        if not self._set_up:  # RimeSetup initialises glog and the module registry: once per process
            self.lib.RimeSetup(ctypes.byref(traits))
            self._set_up = True

    # ----- sessions -----------------------------------------------------------------------------
    def create_session(self, schema: str) -> int:
        with self.lock:
            session = int(self.lib.RimeCreateSession())
            if not session:
                raise RimeUnavailable("librime created no session")
            if not self.lib.RimeSelectSchema(session, schema.encode()):
                self.lib.RimeDestroySession(session)
                raise RimeUnavailable(f"rime schema {schema} not deployed")
            buffer = ctypes.create_string_buffer(64)
            self.lib.RimeGetCurrentSchema(session, buffer, 64)
            if buffer.value.decode() != schema:
                self.lib.RimeDestroySession(session)
                raise RimeUnavailable(f"rime schema {schema} not loaded (got {buffer.value.decode()!r})")
            return session

    def destroy_session(self, session: int) -> None:
        with self.lock:
            self.lib.RimeDestroySession(session)

    def process_key(self, session: int, keycode: int, mask: int = 0) -> bool:
        with self.lock:
            return bool(self.lib.RimeProcessKey(session, keycode, mask))

    def input(self, session: int) -> str:
        """The raw letters being composed ('' when idle)."""
        with self.lock:
            return _text(self._get_input(session))

    def select(self, session: int, index: int) -> bool:
        """Choose candidate ``index`` of the whole menu; the commit (if any) is read with ``commit``."""
        with self.lock:
            return bool(self._select(session, index))

    def clear(self, session: int) -> None:
        with self.lock:
            self.lib.RimeClearComposition(session)

    def commit(self, session: int) -> str:
        """The text librime committed since the last call ('' if none)."""
        with self.lock:
            commit = RimeCommit()
            _init(commit)
            if not self.lib.RimeGetCommit(session, ctypes.byref(commit)):
                return ""
            try:
                return _text(commit.text)
            finally:
                self.lib.RimeFreeCommit(ctypes.byref(commit))

    def context(self, session: int) -> Context:
        with self.lock:
            context = RimeContext()
            _init(context)
            if not self.lib.RimeGetContext(session, ctypes.byref(context)):
                return Context("", 0)
            try:
                return Context(_text(context.composition.preedit), context.composition.cursor_pos)
            finally:
                self.lib.RimeFreeContext(ctypes.byref(context))

    def candidates(self, session: int, start: int = 0, limit: int = 100) -> list[str]:
        """Candidates ``start`` … ``start+limit`` of the whole menu (not just librime's page)."""
        with self.lock:
            return list(self._iterate(session, start, limit))

    def _iterate(self, session: int, start: int, limit: int) -> Iterator[str]:
        iterator = RimeCandidateListIterator()
        if not self.lib.RimeCandidateListFromIndex(session, ctypes.byref(iterator), start):
            return
        try:
            count = 0
            while count < limit and self.lib.RimeCandidateListNext(ctypes.byref(iterator)):
                yield _text(iterator.candidate.text)
                count += 1
        finally:
            self.lib.RimeCandidateListEnd(ctypes.byref(iterator))
