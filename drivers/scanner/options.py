"""Options of the SANE scanner factories; SANE backend options are a table (``sane_options``) or ``opt.NAME`` in the URL."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from kiosk.terminal.options import DeviceOptions


class ScannerOptions(DeviceOptions):
    """``sane:DEVICE?opt.NAME=VALUE&config_dir=/path&jpeg_quality=85``."""

    config_dir: str = Field("", description="SANE_CONFIG_DIR for the backend; empty: the system's")
    jpeg_quality: int = Field(85, ge=1, le=100, description="JPEG quality of each page (1–100)")
    sane_options: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="backend options set before each scan (SANE names, '-' or '_'); URL: opt.NAME=VALUE")

    @model_validator(mode="before")
    @classmethod
    def _url_sane_options(cls, values: Any) -> Any:
        """``opt.resolution=300`` in the URL query joins ``sane_options`` (text, coerced to the option's SANE type later)."""
        if not isinstance(values, dict):
            return values
        url = {key[4:]: value for key, value in values.items() if isinstance(key, str) and key.startswith("opt.")}
        if not url:
            return values
        rest = {key: value for key, value in values.items() if not (isinstance(key, str) and key.startswith("opt."))}
        return {**rest, "sane_options": {**dict(rest.get("sane_options") or {}), **url}}
