"""Keys and sealing of personal data that must persist (checkpoints, outbox)."""
