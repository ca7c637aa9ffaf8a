"""Builds device services from URLs in the terminal config (the pyserial ``serial_for_url`` idea).

    idcard   = "serial:///dev/kiosk-idcard?baud=115200"   real SAM reader
    idcard   = "sim:idcard?card=zhangsan"                 the same driver against its emulator
    printer  = "tcp://127.0.0.1:9100"                     ESC/POS over the network
    scanner  = "sane:test:0"                              a SANE device name
    chipcard = "pcsc:?reader=Virtual%20PCD%2000%2000"      a PC/SC reader (any reader if omitted)

Drivers are entry points of the ``kiosk.drivers`` group named ``"<device class>.<scheme>"`` (the
product's own schemes in pyproject.toml, ``*.sim`` in the simulators' distribution), loaded only when a
device uses them: a missing optional library (pyscard, python-sane) turns into an ``UnavailableDevice``
whose status names the cause, never an import crash. A production install has no ``sim`` scheme.

Options: each factory declares a typed model with ``@takes_options(Model)`` (kiosk.terminal.options).
``check_spec`` validates the URL query and ``[devices.X.options]`` with it and returns the spec carrying
the result in ``settings``; the factory reads it with ``options_for(spec, Model)``. A key given in both
the query and the table is refused.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from kiosk.errors import ConfigError
from kiosk.plugins import DRIVERS, load_plugin, plugin_names
from kiosk.terminal.device import DeviceService, UnavailableDevice
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import DeviceOptions, spec_options
from kiosk.terminal.status import DeviceClass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceUrl:
    """A parsed device URL. ``target`` is the path or opaque part; ``query`` its parameters."""

    raw: str
    scheme: str
    host: str = ""
    port: int | None = None
    target: str = ""
    query: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: str) -> DeviceUrl:
        parts = urlsplit(raw)
        if not parts.scheme:
            raise ValueError(f"device URL {raw!r} has no scheme (e.g. serial://, tcp://, sim:)")
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"device URL {raw!r}: {exc}") from None
        return cls(
            raw=raw,
            scheme=parts.scheme,
            host=parts.hostname or "",
            port=port,
            target=unquote(parts.path),
            query=dict(parse_qsl(parts.query)),
        )

    def option(self, key: str, default: str = "") -> str:
        return self.query.get(key, default)


@dataclass(frozen=True)
class DeviceSpec:
    """One configured device: its name, class, URL, options table and (once checked) its typed options."""

    name: str
    device_class: DeviceClass
    url: DeviceUrl
    required: bool = True
    timeout_s: float = 10.0
    options: dict[str, Any] = field(default_factory=dict)  # [devices.X.options] as written
    settings: DeviceOptions | None = None  # URL query + options validated by the factory's model (check_spec)


Factory = Callable[[DeviceSpec, EventBus], DeviceService]
# An explicit table (tests): (class, scheme) → "module:function". None means the installed entry points.
DriverTable = Mapping[tuple[DeviceClass, str], str]


def _installed() -> set[tuple[DeviceClass, str]]:
    by_value = {cls.value: cls for cls in DeviceClass}
    pairs = set()
    for name in plugin_names(DRIVERS):
        value, _, scheme = name.partition(".")
        if value in by_value and scheme:
            pairs.add((by_value[value], scheme))
    return pairs


def _served(table: DriverTable | None) -> set[tuple[DeviceClass, str]]:
    return _installed() if table is None else set(table)


def known_schemes(device_class: DeviceClass, table: DriverTable | None = None) -> list[str]:
    return sorted(scheme for (cls, scheme) in _served(table) if cls is device_class)


def _check_scheme(spec: DeviceSpec, table: DriverTable | None) -> None:
    if (spec.device_class, spec.url.scheme) not in _served(table):
        schemes = ", ".join(known_schemes(spec.device_class, table)) or "none installed"
        raise ConfigError(f"devices.{spec.name}: no {spec.device_class.value} driver for scheme {spec.url.scheme!r} (known: {schemes})")


def _checked(spec: DeviceSpec, factory: Factory) -> DeviceSpec:
    return replace(spec, settings=spec_options(spec, factory))


def check_spec(spec: DeviceSpec, table: DriverTable | None = None) -> DeviceSpec:
    """The spec with its validated options; ConfigError (device, key, why) for an unknown scheme or a bad option.

    A driver whose library is missing cannot be asked for its model: its spec is returned unchecked (it
    comes up as an UnavailableDevice naming the library anyway).
    """
    _check_scheme(spec, table)
    try:
        factory = _load_factory(spec.device_class, spec.url.scheme, table)
    except ImportError:
        return spec
    return _checked(spec, factory)


def _load_factory(device_class: DeviceClass, scheme: str, table: DriverTable | None) -> Factory:
    if table is None:
        factory: Factory = load_plugin(DRIVERS, f"{device_class.value}.{scheme}")
        return factory
    module_name, _, function = table[(device_class, scheme)].partition(":")
    return getattr(importlib.import_module(module_name), function)


def build_device(spec: DeviceSpec, bus: EventBus, table: DriverTable | None = None) -> DeviceService:
    """Build the service for ``spec``; a driver that cannot load becomes an UnavailableDevice.

    ConfigError (bad scheme or option) propagates: the Terminal decides between no_device and stopping.
    """
    _check_scheme(spec, table)
    try:
        factory = _load_factory(spec.device_class, spec.url.scheme, table)
    except ImportError as exc:
        reason = f"driver for {spec.device_class.value}.{spec.url.scheme} unavailable: {exc}"
        log.warning("device %s: %s", spec.name, reason)
        return UnavailableDevice(spec.name, spec.device_class, bus, reason)
    return factory(_checked(spec, factory), bus)
