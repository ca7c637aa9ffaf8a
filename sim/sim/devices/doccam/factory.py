"""``sim:doccam?scene=a4&width=1280&height=720&fps=15&frames=30``: the real service on the emulator's MJPG frames
(scene: a4|card|card_back|empty; frames: length of the placing clip)."""

from __future__ import annotations

from drivers.doccam.factory import _int, _options
from drivers.doccam.service import DocumentCameraService
from kiosk.errors import ConfigError
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec
from sim.devices.doccam.emulator import SCENES, DoccamEmulator, EmulatorSource


def build_sim(spec: DeviceSpec, bus: EventBus) -> DocumentCameraService:
    """The real service reading MJPG frames from the in-process emulator (``service.emulator``)."""
    url = spec.url
    scene = url.option("scene", "empty")
    if scene not in SCENES:
        raise ConfigError(f"devices.{spec.name}: unknown scene {scene!r} (known: {', '.join(SCENES)})")
    emulator = DoccamEmulator(_int(spec, "width", 1280), _int(spec, "height", 720), float(url.option("fps", "15")), _int(spec, "seed", 1),
                              scene_frames=_int(spec, "frames", 30), scene=scene)
    service = DocumentCameraService(spec.name, bus, lambda: EmulatorSource(emulator), _options(spec), default_timeout=spec.timeout_s)
    service.emulator = emulator
    return service
