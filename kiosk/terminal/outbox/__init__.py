"""Store-and-forward of applications: durable, sealed at rest, delivered exactly once."""

from kiosk.terminal.outbox.crypto import load_or_create_seal_key
from kiosk.terminal.outbox.store import Material, Outbox, OutboxEntry, OutboxStats
from kiosk.terminal.outbox.worker import DeliveryWorker

__all__ = ["DeliveryWorker", "Material", "Outbox", "OutboxEntry", "OutboxStats", "load_or_create_seal_key"]
