"""The terminal's item configurations: verified bundles on disk, staged, switched, checked, rolled back.

States of one bundle on this terminal::

    download → verify (pinned key, hashes) → validate (kiosk.items) → STAGED
    STAGED  → (session boundary, no citizen in a session) → switch → health check → APPLIED
                                                                     └ fails → ROLLED_BACK (previous active again)
    anything wrong before staging → REJECTED (audit record; the running config is untouched)

Layout under ``root``: ``versions/<n>/`` one extracted catalog per accepted version, ``state.json``
the pointer (temp + fsync + rename + directory fsync, with a checksum: kiosk.store.atomic).
Version 0 is the catalog shipped with the app. The flow layer is never asked anything: the app
calls ``apply_staged_if_idle(session_active)`` at each session boundary (the fleet agent too, when idle).

Never a downgrade: with a ``store`` the running version and the highest version ever applied (the
floor) are mirrored in SQLite (synchronous=FULL) on every save. A torn, corrupt or deleted state.json
is reported and the pointer recovered from that mirror (else from the newest version on disk), never
the shipped catalog; a bundle older than the floor is rejected even if state.json was lost.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.fleet.bundle import BundleRejected, open_bundle, peek_version
from kiosk.items import load_catalog, validate_dir
from kiosk.store.atomic import CorruptStateFile, fsync_tree, read_checked_json, write_checked_json
from kiosk.store.migrations import Migrations

CONFIGS = Migrations("configs")


@CONFIGS.register(1)
def create_config_pointer(db: Any) -> None:
    db.execute("CREATE TABLE config_pointer (key TEXT PRIMARY KEY, version INTEGER NOT NULL, at REAL NOT NULL)")

log = logging.getLogger(__name__)

HealthCheck = Callable[[Path], None]  # raises to fail the switch


@dataclass
class ConfigState:
    active: int = 0
    previous: int | None = None
    staged: int | None = None
    etag: str | None = None
    # the last outcome, acknowledged to the platform in every heartbeat
    state: str = "applied"  # applied | staged | rejected | rolled_back
    target: int = 0
    reason: str = ""
    at: float = field(default_factory=time.time)

    def ack(self) -> dict[str, Any]:
        return {"version": str(self.active), "state": self.state, "target": str(self.target), "reason": self.reason[:200]}


class ConfigBundles:
    """Owns the on-disk configuration versions of one terminal (thread-safe)."""

    def __init__(self, root: Path, builtin_dir: Path, public_key: str, *, audit: Any = None,
                 health_check: HealthCheck | None = None, store: Any = None) -> None:
        self.root = root
        self.builtin_dir = builtin_dir
        self.public_key = public_key
        self.audit = audit
        self.health_check = health_check
        self.store = store  # kiosk.store.Store: the pointer's mirror and the floor
        self.on_applied: list[Callable[[int], None]] = []  # e.g. the outbox releases applications held for a catalog sync
        self.problem = ""  # why the state file could not be trusted at start (reported as an alert)
        self._lock = threading.RLock()
        (root / "versions").mkdir(parents=True, exist_ok=True)
        if store is not None:
            CONFIGS.apply(store.db())
        self.state = self._load()

    # ----- reading ------------------------------------------------------------------------------
    def version_dir(self, version: int) -> Path:
        return self.builtin_dir if version == 0 else self.root / "versions" / str(version)

    def active_dir(self) -> Path:
        return self.version_dir(self.state.active)

    def status(self) -> dict[str, Any]:
        with self._lock:
            s = self.state
            return {"active": s.active, "previous": s.previous, "staged": s.staged, "state": s.state, "target": s.target,
                    "reason": s.reason, "at": s.at, "catalog": str(self.active_dir())}

    def wants(self, version: int) -> bool:
        """Is ``version`` worth downloading (newer than what runs and not already staged)?"""
        with self._lock:
            return version > self.state.active and version != self.state.staged

    # ----- staging ------------------------------------------------------------------------------
    def accept(self, data: bytes, source: str = "") -> int:
        """Verify, validate and stage a bundle; returns its version. Raises ``BundleRejected`` (audited)."""
        try:
            verified = open_bundle(data, self.public_key)
            with self._lock:
                if verified.version <= self.state.active:
                    raise BundleRejected("older", f"version {verified.version} is not newer than the running {self.state.active}")
                if verified.version < self.floor():
                    raise BundleRejected("older", f"version {verified.version} is older than {self.floor()}, already applied here")
            with tempfile.TemporaryDirectory(dir=self.root) as tmp:
                catalog = verified.extract(Path(tmp) / "items")
                result = validate_dir(catalog)
                if not result.ok:
                    first = "; ".join(f"{p.code} {p.path} {p.rule}" for p in result.problems[:3])
                    raise BundleRejected("schema_invalid", f"{len(result.problems)} problem(s): {first}")
                target = self.version_dir(verified.version)
                if target.exists():
                    shutil.rmtree(target)
                fsync_tree(catalog)
                catalog.rename(target)
        except BundleRejected as exc:
            self._record("rejected", peek_version(data), exc.reason, str(exc), source=source)
            raise
        with self._lock:
            old_staged = self.state.staged
            self.state.staged = verified.version
            self._set("staged", verified.version, "")
        if old_staged is not None and old_staged != verified.version:
            shutil.rmtree(self.version_dir(old_staged), ignore_errors=True)
        self._audit("config.staged", version=verified.version, key_id=verified.key_id, source=source)
        return verified.version

    # ----- switching ----------------------------------------------------------------------------
    def apply_staged_if_idle(self, session_active: bool) -> str:
        """Call at every session boundary. Returns ``none`` | ``deferred`` | ``applied`` | ``rolled_back``."""
        with self._lock:
            staged = self.state.staged
            if staged is None:
                return "none"
            if session_active:
                return "deferred"  # never during a citizen's session
            previous = self.state.active
            self.state.previous, self.state.active, self.state.staged = previous, staged, None
            self._save()
        self._audit("config.switched", version=staged, previous=previous)
        try:
            self._check(self.version_dir(staged))
        except Exception as exc:  # noqa: BLE001 — any failure of the health check means: go back
            with self._lock:
                self.state.active, self.state.previous = previous, None
                self._set("rolled_back", staged, f"health check failed: {exc}"[:300])
            self._audit("config.rolled_back", version=staged, back_to=previous, reason=str(exc)[:300])
            log.error("config %s failed its health check, back on %s: %s", staged, previous, exc)
            return "rolled_back"
        with self._lock:
            self._set("applied", staged, "")
        self._audit("config.applied", version=staged, previous=previous)
        self._prune()
        for listener in self.on_applied:
            try:
                listener(staged)
            except Exception:  # a listener never undoes an applied configuration
                log.exception("config %s applied: a listener failed", staged)
        return "applied"

    def rollback(self, actor: str = "technician") -> int:
        """Maintenance: go back to the previous version now; returns the version now active."""
        with self._lock:
            if self.state.previous is None:
                raise BundleRejected("no_previous", "there is no previous configuration to roll back to")
            bad, self.state.active, self.state.previous = self.state.active, self.state.previous, None
            self._set("rolled_back", bad, f"manual rollback by {actor}")
            active = self.state.active
        self._audit("config.rolled_back", version=bad, back_to=active, reason="manual", actor_role=actor)
        return active

    def _check(self, directory: Path) -> None:
        load_catalog(directory)  # raises ItemConfigError listing every problem
        if self.health_check is not None:
            self.health_check(directory)

    def _prune(self) -> None:
        keep = {self.state.active, self.state.previous, self.state.staged}
        for path in (self.root / "versions").iterdir():
            if path.name.isdigit() and int(path.name) not in keep:
                shutil.rmtree(path, ignore_errors=True)

    # ----- persistence and audit ----------------------------------------------------------------
    def _set(self, state: str, target: int, reason: str) -> None:
        self.state.state, self.state.target, self.state.reason, self.state.at = state, target, reason, time.time()
        self._save()

    def _record(self, state: str, target: int, reason_code: str, message: str, **detail: Any) -> None:
        with self._lock:
            self._set(state, target, message[:300])
        self._audit("config.rejected", version=target, reason=reason_code, message=message[:300], **detail)
        log.warning("config bundle %s rejected: %s", target, message)

    def _audit(self, action: str, **detail: Any) -> None:
        if self.audit is not None:
            self.audit.append("fleet", action, **detail)

    def floor(self) -> int:
        """The highest version ever applied on this terminal (0 without a store)."""
        return self._mirror().get("floor", 0)

    def _mirror(self) -> dict[str, int]:
        if self.store is None:
            return {}
        return {k: int(v) for k, v in self.store.db().execute("SELECT key, version FROM config_pointer").fetchall()}

    def _load(self) -> ConfigState:
        path = self.root / "state.json"
        mirror = self._mirror()
        try:
            raw = read_checked_json(path)
            if raw is None:
                if not mirror.get("active"):
                    return ConfigState()
                raise CorruptStateFile(f"{path} is missing but version {mirror['active']} was running")
            state = ConfigState(**{k: raw[k] for k in ConfigState.__dataclass_fields__ if k in raw})
        except (CorruptStateFile, TypeError) as exc:
            state = self._recovered(mirror)
            self.problem = f"{exc}: recovered version {state.active}"[:300]
            log.error("config state unusable (%s): running version %s, not the shipped catalog", exc, state.active)
            self._audit("config.state_recovered", version=state.active, reason=str(exc)[:200])
            self._save(state)
            return state
        if state.active and not self.version_dir(state.active).is_dir():
            log.error("active config %s missing on disk: falling back to the built-in catalog", state.active)
            self.problem = f"active config {state.active} missing on disk"
            state.active = 0
        if state.staged is not None and not self.version_dir(state.staged).is_dir():
            state.staged = None
        return state

    def _recovered(self, mirror: dict[str, int]) -> ConfigState:
        """The pointer from the SQLite mirror; without one, the newest version extracted on disk."""
        on_disk = sorted(int(p.name) for p in (self.root / "versions").iterdir() if p.name.isdigit() and p.is_dir())
        active = mirror.get("active", 0)
        if not (active and active in on_disk):
            active = on_disk[-1] if on_disk else 0
        return ConfigState(active=active, state="applied", target=active, reason="recovered after a corrupt state file")

    def alerts(self) -> list[dict[str, Any]]:
        return [{"code": "config_state_corrupt", "severity": "warning", "message": self.problem}] if self.problem else []

    def _save(self, state: ConfigState | None = None) -> None:
        state = state or self.state
        write_checked_json(self.root / "state.json", dict(state.__dict__))
        if self.store is not None:  # the mirror: one transaction, synchronous=FULL
            conn = self.store.db().conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("INSERT OR REPLACE INTO config_pointer (key, version, at) VALUES ('active', ?, ?)", (state.active, time.time()))
                if state.state == "applied" and state.active:
                    conn.execute("INSERT INTO config_pointer (key, version, at) VALUES ('floor', ?, ?) ON CONFLICT(key) DO UPDATE "
                                 "SET version = MAX(version, excluded.version), at = excluded.at", (state.active, time.time()))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def set_etag(self, etag: str | None) -> None:
        with self._lock:
            self.state.etag = etag
            self._save()

