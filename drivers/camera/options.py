"""Options of the face camera factories; the frame-source keys are shared with the camera QR reader."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from kiosk.terminal.options import DeviceOptions


class SourceOptions(DeviceOptions):
    """How frames are read from ``camera:///dev/video0`` (or a clip / still picture)."""

    width: int = Field(0, ge=0, description="requested frame width in px; 0: the camera's default")
    height: int = Field(0, ge=0, description="requested frame height in px; 0: the camera's default")
    fps: float = Field(0.0, ge=0, description="requested frames per second; 0: the camera's default")
    fourcc: str = Field("", max_length=4, description="pixel format, e.g. MJPG; empty: the camera's default")

    def source(self) -> dict[str, Any]:
        """The keyword values ``source_for_target`` reads."""
        return {"width": self.width, "height": self.height, "fps": self.fps, "fourcc": self.fourcc}


class FaceOptions(DeviceOptions):
    """Face-capture settings shared by the real camera and its emulator."""

    detector: Literal["haar", "lbp"] = Field("haar", description="face detector model (opencv-data cascade)")
    stable_frames: int = Field(3, ge=1, description="good frames in a row before the capture (count)")
    jpeg_quality: int = Field(90, ge=1, le=100, description="JPEG quality of the face crop (1–100)")
    min_face_ratio: float = Field(0.15, gt=0, lt=1, description="face width / frame width below which the guide says 请靠近一点")


class CameraOptions(SourceOptions, FaceOptions):
    """``camera:///dev/video0?width=1280&height=720&fourcc=MJPG&detector=haar``."""
