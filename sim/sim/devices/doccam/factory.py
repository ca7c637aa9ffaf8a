"""``sim:doccam?scene=a4&width=1280&height=720&fps=15&frames=30``: the real service on the emulator's MJPG frames
(scene: a4|card|card_back|empty; frames: length of the placing clip)."""

from __future__ import annotations

from drivers.doccam.factory import pipeline_options
from drivers.doccam.service import DocumentCameraService
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from sim.devices.doccam.emulator import DoccamEmulator, EmulatorSource
from sim.devices.doccam.options import SimDoccamOptions


@takes_options(SimDoccamOptions)
def build_sim(spec: DeviceSpec, bus: EventBus) -> DocumentCameraService:
    """The real service reading MJPG frames from the in-process emulator (``service.emulator``)."""
    opts = options_for(spec, SimDoccamOptions)
    emulator = DoccamEmulator(opts.width, opts.height, opts.fps, opts.seed, scene_frames=opts.frames, scene=opts.scene)
    service = DocumentCameraService(spec.name, bus, lambda: EmulatorSource(emulator), pipeline_options(opts), default_timeout=spec.timeout_s)
    service.emulator = emulator
    return service
