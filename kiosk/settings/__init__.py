"""Typed terminal configuration (TOML): ``load_config()`` and the ``TerminalConfig`` model."""

from kiosk.settings.loader import SYSTEM_CONFIG, load_config, parse_config
from kiosk.settings.model import DeviceEntry, TerminalConfig

__all__ = ["SYSTEM_CONFIG", "DeviceEntry", "TerminalConfig", "load_config", "parse_config"]
