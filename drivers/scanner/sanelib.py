"""The process-wide libsane guard: one ``sane.init()`` shared by every scanner device.

Why: ``sane_init``/``sane_exit`` are process-global, and libsane reads ``SANE_CONFIG_DIR`` only at
init. So the first user decides the config dir; later users must ask for the same one (or get a
clear ``DeviceUnavailableError``), and ``sane.exit()`` runs only when the last user releases.
A missing python-sane is reported the same way, never as an import crash.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
from types import ModuleType

from kiosk.errors import DeviceUnavailableError

try:  # python-sane is an optional extra (kiosk[sane])
    import sane as _sane
except ImportError as _exc:  # pragma: no cover - depends on the install
    _sane = None
    IMPORT_ERROR = f"python-sane not installed ({_exc}); pip install 'yukuaiban-kiosk[sane]'"
else:
    IMPORT_ERROR = ""

SYSTEM_CONFIG = ""  # meaning: whatever SANE_CONFIG_DIR/the default /etc/sane.d says


def available() -> bool:
    return _sane is not None


def keep_sigpipe_ignored() -> None:
    """Undo libsane's reset of SIGPIPE to its default (its reader thread does it at the end of a scan).

    Python ignores SIGPIPE so a write to a closed socket raises EPIPE; with the default restored, the
    next printer power cycle or dropped HTTP connection would kill the whole kiosk. ``signal.signal``
    only works on the main thread and scans run on a worker, so this goes through libc directly.
    """
    ctypes.CDLL(None).signal(signal.SIGPIPE, ctypes.c_void_p(1))  # 1 == SIG_IGN


class _Library:
    """Reference-counted init/exit. All methods are thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._config_dir = SYSTEM_CONFIG
        self._saved_env: str | None = None

    def acquire(self, config_dir: str = SYSTEM_CONFIG) -> ModuleType:
        if _sane is None:
            raise DeviceUnavailableError(IMPORT_ERROR)
        with self._lock:
            if self._users == 0:
                self._saved_env = os.environ.get("SANE_CONFIG_DIR")
                if config_dir:
                    os.environ["SANE_CONFIG_DIR"] = config_dir
                try:
                    _sane.init()
                except Exception as exc:  # noqa: BLE001 — _sane.error or RuntimeError from the C module
                    self._restore_env()
                    raise DeviceUnavailableError(f"sane_init failed: {exc}") from None
                self._config_dir = config_dir
            elif config_dir != self._config_dir:
                raise DeviceUnavailableError(
                    f"libsane is already initialised with config {self._config_dir or 'system'!r}; "
                    f"a second config {config_dir or 'system'!r} cannot be used in the same process"
                )
            self._users += 1
            return _sane

    def release(self) -> None:
        with self._lock:
            if self._users == 0:
                return
            self._users -= 1
            if self._users == 0 and _sane is not None:
                try:
                    _sane.exit()
                finally:
                    keep_sigpipe_ignored()
                    self._restore_env()
                    self._config_dir = SYSTEM_CONFIG

    def _restore_env(self) -> None:
        if self._saved_env is None:
            os.environ.pop("SANE_CONFIG_DIR", None)
        else:
            os.environ["SANE_CONFIG_DIR"] = self._saved_env

    @property
    def users(self) -> int:
        return self._users


#: The one instance: libsane itself is a process singleton, this mirrors it rather than hides it.
LIBRARY = _Library()
