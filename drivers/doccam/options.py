"""Options of the 高拍仪 factories: the frame source (mostly URL query) and the page pipeline (options table)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from kiosk.terminal.options import DeviceOptions


class PipelineOptions(DeviceOptions):
    """What happens to a page once seen; the fields of ``drivers.doccam.service.DoccamOptions``."""

    dpi: int = Field(300, ge=72, le=1200, description="output resolution of the corrected page (dots per inch)")
    max_kb: float = Field(400.0, ge=20, description="upload budget per page in kB (1000 bytes)")
    output: Literal["jpeg", "pdf"] = Field("jpeg", description="jpeg | pdf (one page with the JPEG embedded)")
    grey: bool = Field(False, description="force greyscale (text-only material)")
    enhance: bool = Field(True, description="flatten lighting (white paper, shadows removed)")
    deskew: bool = Field(True, description="straighten residual text skew after the perspective warp")
    stable_frames: int = Field(5, ge=2, description="analysed frames the page must stay still before auto-capture (count)")
    stable_tolerance: float = Field(0.005, gt=0, lt=0.1, description="allowed corner motion per frame (fraction of the page diagonal)")
    min_sharpness: float = Field(60.0, ge=0, description="variance of the Laplacian on the analysis copy (unitless)")
    dark_level: float = Field(40.0, ge=0, le=255, description="mean grey level below which the guidance says 光线不足")
    analysis_fps: float = Field(15.0, gt=0, description="page detections per second while capturing or previewing")
    idle_fps: float = Field(2.0, gt=0, description="page detections per second otherwise")
    preview_width: int = Field(640, gt=0, description="width of latest_frame_jpeg() in px")

    def pipeline(self) -> dict[str, Any]:
        """Keyword arguments of ``DoccamOptions`` (max_kb becomes max_bytes)."""
        values = {name: getattr(self, name) for name in PipelineOptions.model_fields if name != "max_kb"}
        return {**values, "max_bytes": int(self.max_kb * 1000)}


class DoccamSourceOptions(PipelineOptions):
    """``uvc:///dev/video0?width=3840&height=2160&fourcc=MJPG&fps=15`` or ``file:///path/desk.mp4?loop=1&fps=15``."""

    width: int = Field(3840, gt=0, description="uvc: frame width in px")
    height: int = Field(2160, gt=0, description="uvc: frame height in px")
    fourcc: str = Field("MJPG", min_length=4, max_length=4, description="uvc: pixel format (MJPG for 4K over USB 2)")
    fps: float = Field(0.0, ge=0, description="frames per second; 0: the camera's (or file's) own rate")
    loop: bool = Field(True, description="file: start again at the end")
