"""LivePreview: while a camera step waits (face for 人证核验, a page under the 高拍仪), republish the
current view-model with the newest frame (and the detected page outline) about ten times a second.

Why here: screens never call devices; the flow layer samples ``latest_frame_jpeg()`` /
``latest_outline()`` and hands the UI frozen snapshots like any other. ``stop()`` is awaited
before the step publishes its next screen, so a late frame never overwrites it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import replace

from kiosk.flows.viewmodels import ViewModel

Frame = Callable[[], "bytes | None"]
Outline = Callable[[], "list[tuple[float, float]] | None"]


class LivePreview:
    def __init__(self, publish: Callable[[ViewModel], None], interval_s: float = 0.1) -> None:
        self.publish = publish
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self, base: ViewModel, frame: Frame, outline: Outline | None = None) -> None:
        self.cancel()
        self._task = asyncio.get_running_loop().create_task(self._run(base, frame, outline), name="live-preview")

    async def _run(self, base: ViewModel, frame: Frame, outline: Outline | None) -> None:
        last: bytes | None = None
        while True:
            await asyncio.sleep(self.interval_s)
            jpeg = frame()
            if jpeg is None or jpeg is last:
                continue
            last = jpeg
            changes: dict[str, object] = {"preview_jpeg": jpeg}
            if outline is not None and hasattr(base, "outline"):
                changes["outline"] = tuple(outline() or ())
            self.publish(replace(base, **changes))  # type: ignore[arg-type]

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
