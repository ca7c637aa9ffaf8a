"""``sim:camera?scene=good``: the real camera driver on emulated scenes."""

from __future__ import annotations

from drivers.camera.service import CameraService, _options, _service_kwargs
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec
from sim.devices.camera.emulator import SceneCamera


def build_sim(spec: DeviceSpec, bus: EventBus) -> CameraService:
    """The real camera driver on emulated scenes; ``service.emulator.set_scene(name)`` drives it."""
    opts = _options(spec)
    scene = SceneCamera(opts.get("scene", "good"))
    service = CameraService(spec.name, bus, scene, **_service_kwargs(spec, opts))
    service.emulator = scene
    return service
