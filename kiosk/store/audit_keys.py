"""The audit trail's MAC key and the anchors of its end, kept outside the database (``<data_dir>/keys/``).

A hash chain in the same file as its records proves nothing to someone who can write that file: they edit and
recompute. So each record carries an HMAC (HMAC-SM3 under the SM2-SM3 suite, HMAC-SHA256 under ed25519, named per
record) with a key the database never holds, and the chain's end is anchored twice outside it:

- ``audit.head``  the newest record (seq, MAC) as this terminal wrote it, rewritten after every append: a tail
  cut, a wipe, an older copy of the file or a dropped table leaves the database behind its anchor;
- ``audit.acked`` the newest head the platform acknowledged in a heartbeat: it has left the box, so even someone
  holding the key cannot rewrite what the platform already holds (``kiosk audit verify --head`` checks the
  platform's own copy).

Both anchors are MACed too (a swapped key does not validate them). A missing key is never regenerated while
MACed records exist: ``AuditKeyMissing`` stops the terminal until the backed-up key is restored, because a fresh
key would make the whole trail unverifiable and let anyone re-chain it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import StoreError
from kiosk.security import suite as suites
from kiosk.security.keyfile import write_private
from kiosk.store.atomic import write_atomic

KEY_BYTES = 32


class AuditKeyMissing(StoreError):
    """The audit key is gone (or not this trail's) while MACed records exist: restore it, never regenerate."""


@dataclass(frozen=True)
class Anchor:
    """A point of the chain recorded outside the database: record ``seq`` had MAC ``mac`` (hex)."""

    seq: int
    mac: str
    at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "mac": self.mac, "at": self.at}


class AuditKeys:
    """The key and the anchors of one terminal's audit trail, in ``directory`` (0700, apart from the store)."""

    def __init__(self, directory: Path, suite: str = suites.SM2_SM3) -> None:
        self.directory = Path(directory)
        self.suite = suites.check_suite(suite)
        self.key_file = self.directory / "audit.key"
        self.head_file = self.directory / "audit.head"
        self.acked_file = self.directory / "audit.acked"
        self._key: bytes | None = None

    # ----- the key ----------------------------------------------------------------------------------
    def read_key(self) -> bytes | None:
        try:
            key = self.key_file.read_bytes()
        except FileNotFoundError:
            return None
        if len(key) != KEY_BYTES:
            raise AuditKeyMissing(f"{self.key_file}: audit key must be {KEY_BYTES} bytes, found {len(key)}")
        return key

    def key(self, *, may_create: bool) -> bytes:
        """The key; created (0600) only when ``may_create`` — i.e. no MACed record exists yet."""
        if self._key is None:
            key = self.read_key()
            if key is None:
                if not may_create:
                    raise AuditKeyMissing(f"{self.key_file} is missing but the audit trail has MACed records: restore the "
                                          "backed-up key (a new key is never generated over an existing trail)")
                self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
                write_private(self.key_file, os.urandom(KEY_BYTES))
                key = self.read_key()
            assert key is not None
            self._key = key
        return self._key

    def mac(self, data: bytes, suite: str | None = None) -> str:
        return suites.mac(suite or self.suite, self.key(may_create=False), data).hex()

    def mac_ok(self, data: bytes, tag: str, suite: str | None = None) -> bool:
        try:
            raw = bytes.fromhex(tag)
        except ValueError:
            return False
        return suites.mac_ok(suite or self.suite, self.key(may_create=False), data, raw)

    # ----- the anchors ------------------------------------------------------------------------------
    def _anchor_body(self, kind: str, anchor: Anchor) -> bytes:
        return json.dumps([kind, anchor.seq, anchor.mac, repr(anchor.at)], separators=(",", ":")).encode()

    def _write(self, path: Path, kind: str, anchor: Anchor) -> None:
        doc = {**anchor.to_dict(), "suite": self.suite, "tag": self.mac(self._anchor_body(kind, anchor))}
        write_atomic(path, json.dumps(doc, sort_keys=True).encode(), mode=0o600)

    def _read(self, path: Path, kind: str) -> Anchor | None:
        """The anchor in ``path``; None when absent. Raises ``StoreError`` when it is torn or its tag fails."""
        try:
            doc = json.loads(path.read_bytes())
            anchor = Anchor(int(doc["seq"]), str(doc["mac"]), float(doc.get("at", 0.0)))
            suite, tag = str(doc["suite"]), str(doc["tag"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"{path.name} is torn or unreadable: {exc}") from None
        if not self.mac_ok(self._anchor_body(kind, anchor), tag, suite):
            raise StoreError(f"{path.name} does not verify with this audit key (edited, or the key was swapped)")
        return anchor

    def write_head(self, anchor: Anchor) -> None:
        self._write(self.head_file, "head", anchor)

    def head(self) -> Anchor | None:
        return self._read(self.head_file, "head")

    def write_acked(self, anchor: Anchor) -> None:
        """The platform acknowledged ``anchor``; never moves backwards (an old ack replayed changes nothing)."""
        current = self._read_quietly(self.acked_file, "acked")
        if current is not None and current.seq >= anchor.seq:
            return
        self._write(self.acked_file, "acked", anchor)

    def acked(self) -> Anchor | None:
        return self._read(self.acked_file, "acked")

    def _read_quietly(self, path: Path, kind: str) -> Anchor | None:
        try:
            return self._read(path, kind)
        except StoreError:
            return None
