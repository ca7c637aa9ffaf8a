"""Device URLs → a ``DocumentCameraService`` (registered in ``kiosk/terminal/driver_table.py``).

    uvc:///dev/video0?width=3840&height=2160&fourcc=MJPG&fps=15   a UVC 高拍仪
    file:///path/to/video.mp4?loop=1                               recorded footage as a camera
    sim:doccam?scene=a4&width=1280&height=720&fps=15&frames=30     the emulator (scene: a4|card|card_back|empty;
                                                                   frames: length of the placing clip)
"""

from __future__ import annotations

from drivers.doccam.service import DoccamOptions, DocumentCameraService
from drivers.doccam.transport import FileSource, UvcSource
from kiosk.errors import ConfigError
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec


def _options(spec: DeviceSpec) -> DoccamOptions:
    try:
        return DoccamOptions.from_mapping(dict(spec.options))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"devices.{spec.name}.options: {exc}") from None


def _int(spec: DeviceSpec, key: str, default: int) -> int:
    raw = spec.url.option(key, str(default))
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"devices.{spec.name}: {key}={raw!r} is not an integer") from None


def build(spec: DeviceSpec, bus: EventBus) -> DocumentCameraService:
    """``uvc:`` and ``file:`` URLs. Nothing is opened here; ``open()`` does it."""
    url = spec.url
    if url.scheme == "uvc":
        device = url.target or url.host or "/dev/video0"
        fps = float(url.option("fps", "0") or 0)
        fourcc = url.option("fourcc", "MJPG")
        make = lambda: UvcSource(device, _int(spec, "width", 3840), _int(spec, "height", 2160), fourcc, fps)  # noqa: E731
    elif url.scheme == "file":
        path = url.target
        loop = url.option("loop", "1") not in ("0", "false", "no")
        fps = float(url.option("fps", "0") or 0)
        make = lambda: FileSource(path, loop, fps)  # noqa: E731
    else:
        raise ConfigError(f"devices.{spec.name}: doccam cannot use scheme {url.scheme!r}")
    return DocumentCameraService(spec.name, bus, make, _options(spec), default_timeout=spec.timeout_s)
