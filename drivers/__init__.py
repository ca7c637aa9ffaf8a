"""Implementations of the device contracts in ``kiosk.terminal``: real protocol code plus wire-level emulators."""
