"""Loads and validates terminal config files; every problem names the file, the key and what is wrong."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.errors import ConfigError
from kiosk.settings.model import TerminalConfig
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, check_spec

#: Where a production terminal's config lives; ``--config FILE`` names another (no environment variable does).
SYSTEM_CONFIG = Path("/etc/yukuaiban-kiosk/terminal.toml")


def _describe(error: Mapping[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{key}: unknown key"
    if kind == "missing":
        return f"{key}: required key is missing"
    got = error.get("input")
    got_text = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
    return f"{key}: {error['msg']}{got_text}"


def parse_config(text: str, source: str = "<config>") -> TerminalConfig:
    """Parse TOML text; raise ConfigError listing every problem as ``source: key: problem``."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        config = TerminalConfig.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{source}: {_describe(e)}" for e in exc.errors()]
        raise ConfigError(f"{source}: {len(problems)} problem(s)\n" + "\n".join(problems), problems) from None
    problems = []
    for device_class, entry in config.devices.items():
        spec = DeviceSpec(device_class.value, device_class, DeviceUrl.parse(entry.url), entry.required, entry.timeout_s, dict(entry.options))
        try:
            check_spec(spec)  # the scheme, and every option against the driver's typed model
        except ConfigError as exc:
            problems.extend(f"{source}: {problem}" for problem in exc.problems)
    if problems:
        raise ConfigError(f"{source}: {len(problems)} problem(s)\n" + "\n".join(problems), problems)
    return config


def load_config(path: str | os.PathLike[str] | None = None) -> TerminalConfig:
    """Load ``path`` (``kiosk --config FILE``), else the terminal's own config, SYSTEM_CONFIG."""
    chosen = Path(path or SYSTEM_CONFIG)
    try:
        text = chosen.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{chosen}: cannot read: {exc.strerror}") from None
    return parse_config(text, str(chosen))
