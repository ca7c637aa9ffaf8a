"""The item flow engine: a checkpointed state machine per citizen session, driven by item configuration."""
