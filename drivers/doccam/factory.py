"""Device URLs → a ``DocumentCameraService`` (registered in ``kiosk/terminal/driver_table.py``).

    uvc:///dev/video0?width=3840&height=2160&fourcc=MJPG&fps=15   a UVC 高拍仪
    file:///path/to/video.mp4?loop=1                               recorded footage as a camera
    sim:doccam?scene=a4&width=1280&height=720&fps=15&frames=30     the emulator (scene: a4|card|card_back|empty;
                                                                   frames: length of the placing clip)
"""

from __future__ import annotations

from collections.abc import Callable

from drivers.doccam.options import DoccamSourceOptions, PipelineOptions
from drivers.doccam.service import DoccamOptions, DocumentCameraService
from drivers.doccam.transport import FileSource, FrameSource, UvcSource
from kiosk.errors import ConfigError
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec


def pipeline_options(opts: PipelineOptions) -> DoccamOptions:
    return DoccamOptions(**opts.pipeline())


@takes_options(DoccamSourceOptions)
def build(spec: DeviceSpec, bus: EventBus) -> DocumentCameraService:
    """``uvc:`` and ``file:`` URLs. Nothing is opened here; ``open()`` does it."""
    url, opts = spec.url, options_for(spec, DoccamSourceOptions)
    make: Callable[[], FrameSource]
    if url.scheme == "uvc":
        device = url.target or url.host or "/dev/video0"
        def make() -> FrameSource:
            return UvcSource(device, opts.width, opts.height, opts.fourcc, opts.fps)
    elif url.scheme == "file":
        path = url.target
        def make() -> FrameSource:
            return FileSource(path, opts.loop, opts.fps)
    else:
        raise ConfigError(f"devices.{spec.name}: doccam cannot use scheme {url.scheme!r}")
    return DocumentCameraService(spec.name, bus, make, pipeline_options(opts), default_timeout=spec.timeout_s)
