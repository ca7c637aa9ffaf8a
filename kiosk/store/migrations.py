"""Schema migrations registered with a decorator; each runs in its own transaction.

    core = Migrations("core")

    @core.register(1)
    def create_audit(db: Database) -> None: ...

A failing migration rolls back alone and leaves every earlier one applied; ``_migrations`` records
which ran, so a second ``apply`` is a no-op.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlite_utils import Database

from kiosk.errors import StoreError

Step = Callable[[Database], None]


class Migrations:
    """An ordered set of migrations for one area of the store (``name`` keeps areas apart)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._steps: dict[int, Step] = {}

    def register(self, version: int) -> Callable[[Step], Step]:
        def decorate(step: Step) -> Step:
            if version in self._steps:
                raise StoreError(f"migration {self.name}#{version} registered twice")
            self._steps[version] = step
            return step

        return decorate

    def apply(self, db: Database) -> list[str]:
        """Apply pending migrations in version order; returns the names applied."""
        db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (area TEXT NOT NULL, version INTEGER NOT NULL, "
            "name TEXT NOT NULL, applied_at REAL NOT NULL, PRIMARY KEY (area, version))"
        )
        done = {row[0] for row in db.execute("SELECT version FROM _migrations WHERE area = ?", [self.name]).fetchall()}
        applied: list[str] = []
        for version in sorted(self._steps):
            if version in done:
                continue
            step = self._steps[version]
            conn = db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                step(db)
                conn.execute(
                    "INSERT INTO _migrations (area, version, name, applied_at) VALUES (?, ?, ?, ?)",
                    [self.name, version, step.__name__, time.time()],
                )
                conn.execute("COMMIT")
            except Exception as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"migration {self.name}#{version} ({step.__name__}) failed: {exc}") from exc
            applied.append(f"{self.name}#{version} {step.__name__}")
        return applied
