"""A driver factory with a typed options model, for the registry and Terminal tests (a real factory shape)."""

from __future__ import annotations

from pydantic import Field

from kiosk.terminal import DeviceSpec, EventBus
from kiosk.terminal.options import DeviceOptions, options_for, takes_options
from tests.terminal.fakes import WorkBench


class BenchOptions(DeviceOptions):
    rate_wpm: int = Field(160, ge=80)
    voice: str = "zh"


class OptionBench(WorkBench):
    options: BenchOptions


@takes_options(BenchOptions)
def build(spec: DeviceSpec, bus: EventBus) -> OptionBench:
    device = OptionBench(spec.name, bus)
    device.options = options_for(spec, BenchOptions)
    return device
