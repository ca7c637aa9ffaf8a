"""The ``kiosk`` command: each subcommand lives in its own module with a ``register(subparsers)``."""
