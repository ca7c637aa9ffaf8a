"""``sim:camera?scene=good``: the real camera driver on emulated scenes."""

from __future__ import annotations

from drivers.camera.service import CameraService, service_kwargs
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from sim.devices.camera.emulator import SceneCamera
from sim.devices.camera.options import SimCameraOptions


@takes_options(SimCameraOptions)
def build_sim(spec: DeviceSpec, bus: EventBus) -> CameraService:
    """The real camera driver on emulated scenes; ``service.emulator.set_scene(name)`` drives it."""
    opts = options_for(spec, SimCameraOptions)
    scene = SceneCamera(opts.scene)
    service = CameraService(spec.name, bus, scene, **service_kwargs(spec, opts))
    service.emulator = scene
    return service
