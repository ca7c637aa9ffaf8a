"""Options of ``sim:doccam``: the page pipeline plus the emulated scene and frames."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from drivers.doccam.options import PipelineOptions


class SimDoccamOptions(PipelineOptions):
    """``sim:doccam?scene=a4&width=1280&height=720&fps=15&seed=1&frames=30``: the emulator."""

    scene: Literal["a4", "card", "card_back", "empty"] = Field("empty", description="what lies under the camera at start")
    width: int = Field(1280, gt=0, description="frame width in px")
    height: int = Field(720, gt=0, description="frame height in px")
    fps: float = Field(15.0, gt=0, description="frames per second")
    seed: int = Field(1, description="random seed of the scenes")
    frames: int = Field(30, ge=1, description="length of the placing clip (frames)")
