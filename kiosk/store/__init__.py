"""The terminal's SQLite store (sqlite-utils, WAL): migrations, audit trail, checkpoints."""

from kiosk.store.audit import AuditRecord, AuditTrail, VerifyResult
from kiosk.store.database import Store
from kiosk.store.migrations import Migrations

__all__ = ["AuditRecord", "AuditTrail", "Migrations", "Store", "VerifyResult"]
