"""Options of ``sim:camera``: the real face-capture settings plus the emulated scene."""

from __future__ import annotations

from pydantic import Field

from drivers.camera.options import FaceOptions


class SimCameraOptions(FaceOptions):
    """``sim:camera?scene=good``: the real driver on emulated scenes."""

    scene: str = Field("good", description="emulated scene at start")
