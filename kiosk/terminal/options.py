"""Typed device options: one pydantic model per driver factory validates the URL query and the options table.

A device's options come from two places that mean the same thing::

    [devices.idcard]
    url = "serial:///dev/kiosk-idcard?baud=115200"     # the URL query (text values)
    [devices.idcard.options]
    read_timeout_s = 3.5                              # the options table (TOML values)

Both are merged and validated by the factory's model. A key given in BOTH places is refused (there is no
precedence rule to remember); query text is converted by pydantic's lax mode (``"115200"`` → 115200,
``"true"`` → True, ``"fast"`` → an error naming the key).

How the registry finds a factory's model: the factory carries it as the attribute ``options_model``,
set with the ``@takes_options(Model)`` decorator next to the factory. A factory without one is not
checked here (its options reach it as given) — every driver in this repository declares one.

A factory reads its typed options with ``options_for(spec, Model)``: the options the registry already
validated for this spec (``spec.settings``), else validated on the spot (a spec built by a device CLI).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, ValidationError

from kiosk.errors import ConfigError

if TYPE_CHECKING:
    from kiosk.terminal.registry import DeviceSpec

F = TypeVar("F", bound=Callable[..., Any])
Opts = TypeVar("Opts", bound="DeviceOptions")


class DeviceOptions(BaseModel):
    """Base of every driver's options model: unknown keys are refused, values are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoOptions(DeviceOptions):
    """A factory that takes no options."""


def takes_options(model: type[DeviceOptions]) -> Callable[[F], F]:
    """Declare the options model of a driver factory (read by ``options_model_of``)."""

    def mark(factory: F) -> F:
        factory.options_model = model  # type: ignore[attr-defined]
        return factory

    return mark


def options_model_of(factory: Callable[..., Any]) -> type[DeviceOptions] | None:
    """The factory's declared options model; None when it declares none."""
    model = getattr(factory, "options_model", None)
    return model if isinstance(model, type) and issubclass(model, DeviceOptions) else None


def spec_options(spec: DeviceSpec, factory: Callable[..., Any]) -> DeviceOptions | None:
    """Validate ``spec``'s URL query and options table with ``factory``'s model (what the registry calls)."""
    model = options_model_of(factory)
    return None if model is None else validate_options(model, spec.name, spec.url.query, spec.options)


def options_for(spec: DeviceSpec, model: type[Opts]) -> Opts:
    """A factory's typed options: ``spec.settings`` when the registry validated them as ``model``, else validated now."""
    settings = getattr(spec, "settings", None)
    if isinstance(settings, model):
        return settings
    return cast(Opts, validate_options(model, spec.name, spec.url.query, spec.options))


def _where(device: str, key: str, from_query: set[str]) -> str:
    return f"devices.{device}.url ?{key}=" if key in from_query else f"devices.{device}.options.{key}"


def _why(error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown option"
    if error["type"] == "missing":
        return "required option is missing"
    message, got = str(error["msg"]).removeprefix("Value error, "), error.get("input")
    return f"{message} (got {got!r})" if got is not None and repr(got) not in message else message


def validate_options(model: type[DeviceOptions], device: str, query: Mapping[str, str], table: Mapping[str, Any]) -> DeviceOptions:
    """Merge the URL query and the options table into ``model``; ConfigError names device, key and why.

    Every problem is listed (``ConfigError.problems``), e.g.
    ``devices.idcard.url ?baud=: Input should be a valid integer … (got 'fast')``.
    """
    twice = sorted(set(query) & set(table))
    problems = [f"devices.{device}.options.{key}: also given in the URL query; give it once" for key in twice]
    merged = {**table, **query}
    try:
        options = model.model_validate(merged)
    except ValidationError as exc:
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]) or "(options)"
            problems.append(f"{_where(device, key.split('.')[0], set(query))}: {_why(error)}")
        options = None
    if problems or options is None:
        known = ", ".join(sorted(model.model_fields)) or "none"
        problems = [p + (f" (known: {known})" if p.endswith("unknown option") else "") for p in problems]
        raise ConfigError("; ".join(problems), problems)  # one line: device CLIs print it as is
    return options
