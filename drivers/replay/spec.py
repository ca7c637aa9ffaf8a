"""``replay:`` device URLs, what every class shares: the options, the recording, the recorded driver options.

A ``replay:`` URL builds the real driver of its class over a recording (entry points ``<class>.replay``
→ drivers/replay/{idcard,chipcard,printer,barcode}.py, one module each so a missing pyscard only
disables the 社保卡 replay):

    idcard   = "replay:/var/lib/yukuaiban-kiosk/sessions/idcard-read.jsonl?speed=1.0"

The recording's header names the class, the driver's options and the transport facts (port, reader,
printer kind); the factory builds that class's real service with them and plugs a replaying
transport into its seam. ``speed`` scales the recorded timing (2.0: twice as fast; 0: no waiting).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import Field, ValidationError

from drivers.replay import wire
from kiosk.errors import ConfigError
from kiosk.terminal.options import DeviceOptions, options_for
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass

Opts = TypeVar("Opts", bound=DeviceOptions)


class ReplayOptions(DeviceOptions):
    """``replay:/path/session.jsonl?speed=1.0``: a recorded session played back to the real driver."""

    speed: float = Field(1.0, ge=0, description="timing factor: 1.0 as recorded, 2.0 twice as fast, 0 without waiting")


def recording_for(spec: DeviceSpec, device_class: DeviceClass) -> tuple[wire.Recording, ReplayOptions]:
    opts = options_for(spec, ReplayOptions)
    path = spec.url.target or spec.url.host
    if not path:
        raise ConfigError(f"devices.{spec.name}: {spec.url.raw}: replay URL names no file (e.g. replay:/path/session.jsonl)")
    recording = wire.load(path)
    if recording.device_class != device_class.value:
        raise ConfigError(f"devices.{spec.name}: {path} records a {recording.device_class or '?'} device, not {device_class.value}")
    return recording, opts


def driver_options(recording: wire.Recording, model: type[Opts]) -> Opts:
    """The recorded options the real driver's model knows (a ``sim:`` recording also has the emulator's)."""
    known = {k: v for k, v in recording.options.items() if k in model.model_fields}
    try:
        return model.model_validate(known)
    except ValidationError as exc:
        raise ConfigError(f"recording {recording.path}: options: {exc.errors()[0]['msg']}") from None


def transport_facts(recording: wire.Recording) -> dict[str, Any]:
    facts = recording.header.get("transport") or {}
    return dict(facts) if isinstance(facts, dict) else {}
