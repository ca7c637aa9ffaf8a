"""The terminal configuration schema. Every field says its unit in its name or its description."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from kiosk.terminal.registry import DeviceUrl
from kiosk.terminal.status import DeviceClass
from kiosk.xfs.options import XfsSection

#: Where a terminal keeps its store, keys, logs and session files when ``terminal.data_dir`` is empty:
#: kiosk.service's ``StateDirectory=`` (writable under ``ProtectSystem=strict``, owned by the service user).
STATE_DIR = Path("/var/lib/yukuaiban-kiosk")
#: platform.url schemes of a real platform (kiosk.terminal.platform.endpoint.NETWORK_SCHEMES).
REMOTE_SCHEMES = ("https", "http")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TerminalSection(_Section):
    id: str = Field(description="terminal id registered with the platform, e.g. CQ-500112-0001")
    hall: str = Field(description="service hall shown on the attract screen and receipts")
    district_code: str = Field(pattern=r"^\d{6}$", description="6-digit administrative code of the receiving district")
    district_name: str = Field(description="district name, e.g. 渝北区")
    orientation: Literal["portrait", "landscape"] = "portrait"
    language: Literal["zh_CN", "en"] = "zh_CN"
    data_dir: str = Field("", description=f"where the store, keys, logs and session temp files live; empty: {STATE_DIR}")

    def data_path(self) -> Path:
        """The config decides, nothing else (no environment variable, no home directory)."""
        return Path(self.data_dir) if self.data_dir else STATE_DIR


class SessionSection(_Section):
    idle_timeout_s: float = Field(90.0, gt=5, description="seconds without a touch before the warning appears")
    idle_warning_s: float = Field(20.0, gt=0, description="seconds the countdown warning lasts before the session ends")
    elder_timeout_factor: float = Field(2.0, ge=1, description="elder mode multiplies the timeouts by this")


class PlatformSection(_Section):
    url: str = Field(description="platform base URL (https://…), required; a kiosk.platforms plugin scheme (the simulators' embedded:) also works")
    timeout_s: float = Field(10.0, gt=0, description="per-request timeout in seconds")
    retries: int = Field(4, ge=0, le=10, description="retries of idempotent calls, with jittered exponential backoff")
    key_file: str = Field("", description="the terminal's Ed25519 private key (PEM); empty: <data_dir>/terminal.key")
    bundle_public_key: str = Field("", description="pinned Ed25519 public key (base64) that config bundles must be signed with")
    bundle_url: str = Field("", description="static web server/CDN directory with current.json and the bundles; empty: fetch them from the platform")
    heartbeat_s: float = Field(30.0, gt=0, description="seconds between heartbeats")
    enrollment_code: str = Field("", validate_default=True,
                                 description="one-time code the platform issues to register this terminal; required for https:// and http://")

    @field_validator("enrollment_code")
    @classmethod
    def _code_for_a_remote_platform(cls, value: str, info: ValidationInfo) -> str:
        """A real platform refuses a terminal without its code: a config error, not a terminal that never registers.
        A plugin platform (the simulators' embedded:) is named by its own config (the demo's sets its code)."""
        url = str(info.data.get("url", ""))
        if not value.strip() and url.partition(":")[0].lower() in REMOTE_SCHEMES:
            raise ValueError(f"required for a remote platform ({url}): the one-time code the platform issued for this terminal")
        return value


class DeviceEntry(_Section):
    url: str = Field(description="device URL: serial://…, tcp://…, sane:…, pcsc:…, cups:…, sim:…")
    required: bool = Field(True, description="doctor fails and the terminal goes out of service when this device is down")
    timeout_s: float = Field(10.0, gt=0, description="default command timeout in seconds")
    options: dict[str, Any] = Field(default_factory=dict, description="driver-specific options")

    @field_validator("url")
    @classmethod
    def _url_parses(cls, value: str) -> str:
        DeviceUrl.parse(value)
        return value


class LoggingSection(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    file: str = Field("", description="JSON-lines log file; empty: <data_dir>/logs/kiosk.jsonl; '-': stderr only")
    max_mb: int = Field(20, gt=0, description="rotate the log file at this size in MiB")
    keep_files: int = Field(10, gt=0, description="rotated files kept")


class UiSection(_Section):
    fullscreen: bool = True
    font: str = Field("", description="CJK font file; empty: the first found of Noto Sans CJK SC / WenQuanYi Micro Hei")
    elder_font_scale: float = Field(1.6, ge=1.5, description="elder mode text scale (at least 1.5)")


class MaintenanceSection(_Section):
    totp_secret: str = Field("", description="base32 RFC 6238 secret for the hidden-gesture entry (kiosk maint totp-secret); empty: disabled")

    @field_validator("totp_secret")
    @classmethod
    def _base32(cls, value: str) -> str:
        """Checked here so a typo is a config error, not a crash at the first technician login."""
        cleaned = value.strip().replace(" ", "").upper()
        if not cleaned:
            return value
        try:
            key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
        except (binascii.Error, ValueError):
            raise ValueError("not base32 (letters A–Z and digits 2–7; make one with kiosk maint totp-secret)") from None
        if len(key) < 10:
            raise ValueError(f"too short: {len(key)} bytes, RFC 4226 asks for at least 10 (16 base32 characters)")
        return value
    technicians: dict[str, str] = Field(default_factory=dict, description="technician card id → PIN hash (kiosk maint pin-hash)")
    max_failures: int = Field(5, ge=1, le=20, description="failed entries in a row before the lockout")
    lockout_s: float = Field(900.0, gt=0, description="seconds maintenance entry stays locked after max_failures")


class TerminalConfig(_Section):
    terminal: TerminalSection
    session: SessionSection = SessionSection()
    platform: PlatformSection  # required: a terminal without a platform must not silently start an emulator
    devices: dict[DeviceClass, DeviceEntry] = Field(default_factory=dict)
    logging: LoggingSection = LoggingSection()
    ui: UiSection = UiSection()
    maintenance: MaintenanceSection = MaintenanceSection()
    xfs: XfsSection = XfsSection()  # the XFS4IoT diagnostics service (docs/xfs.md), off by default
