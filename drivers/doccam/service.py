"""The 高拍仪 device service: live analysis for the preview, auto-capture on command.

Three threads, each with one job: the grabber keeps the newest frame; the analyser finds the page
in it (so the UI can draw the outline and show guidance even between commands); the device worker
runs ``capture_page``, which watches the analyses until the page is still and sharp, then warps
and encodes that frame. Guidance is Chinese, for the citizen at the terminal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, cast

import cv2
import numpy as np

from drivers.doccam.detect import MODES, MSG_PLACE, Detection, analyse
from drivers.doccam.rectify import make_page
from drivers.doccam.stability import ChangeGate, StillTracker
from drivers.doccam.transport import Frame, FrameSource, Grabber
from kiosk.errors import DeviceIOError, DeviceUnavailableError
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode
from kiosk.terminal.device import DeviceService
from kiosk.terminal.error_codes import CameraError
from kiosk.terminal.events import EventBus, MediaInserted, MediaRemoved
from kiosk.terminal.media import CapturedPage
from kiosk.terminal.status import DeviceClass, DeviceState

log = logging.getLogger(__name__)

END_MARGIN_S = 0.15  # give up this long before the deadline so we answer with guidance, not a bare timeout


@dataclass(frozen=True)
class DoccamOptions:
    """Pipeline settings (``[devices.doccam.options]``); units in the names."""

    dpi: int = 300
    max_bytes: int = 400_000
    output: str = "jpeg"  # jpeg | pdf
    grey: bool = False  # force greyscale (text-only material)
    enhance: bool = True  # flatten lighting: white paper, no shadow
    deskew: bool = True
    stable_frames: int = 5
    stable_tolerance: float = 0.005  # of the page diagonal, per frame
    min_sharpness: float = 60.0  # variance of the Laplacian on the ≈640 px analysis copy
    dark_level: float = 40.0  # mean grey below this: 光线不足
    analysis_fps: float = 15.0  # while a capture runs or the UI shows the preview
    idle_fps: float = 2.0  # otherwise: enough for MediaInserted, cheap on a 4K camera
    preview_width: int = 640

    def __post_init__(self) -> None:
        problems = []
        if self.output not in ("jpeg", "pdf"):
            problems.append(f"output={self.output!r} (jpeg or pdf)")
        if not 72 <= self.dpi <= 1200:
            problems.append(f"dpi={self.dpi} (72–1200)")
        if self.max_bytes < 20_000:
            problems.append(f"max_bytes={self.max_bytes} (at least 20 kB)")
        if self.stable_frames < 2 or not 0 < self.stable_tolerance < 0.1 or self.analysis_fps <= 0 or self.idle_fps <= 0:
            problems.append("stable_frames ≥ 2, 0 < stable_tolerance < 0.1, analysis_fps and idle_fps > 0")
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> DoccamOptions:
        known = set(cls.__dataclass_fields__)
        unknown = set(values) - known - {"max_kb"}
        if unknown:
            raise ValueError(f"unknown doccam option(s): {', '.join(sorted(unknown))}")
        kwargs = {k: v for k, v in values.items() if k in known}
        if "max_kb" in values:
            kwargs["max_bytes"] = int(float(values["max_kb"]) * 1000)
        opts = cls()
        typed: dict[str, Any] = {k: type(getattr(opts, k))(v) if not isinstance(getattr(opts, k), bool) else str(v).lower() in ("1", "true", "yes")
                 for k, v in kwargs.items()}
        return replace(opts, **typed)


@dataclass(frozen=True)
class Analysis:
    frame: Frame
    detection: Detection
    mode: str


class DocumentCameraService(DeviceService):
    device_class = DeviceClass.DOCUMENT_CAMERA
    default_timeout = 30.0

    def __init__(self, name: str, bus: EventBus, make_source: Callable[[], FrameSource], options: DoccamOptions | None = None,
                 *, default_timeout: float | None = None) -> None:
        super().__init__(name, bus, default_timeout=default_timeout)
        self.options = options or DoccamOptions()
        self._make_source = make_source
        self._source: FrameSource | None = None
        self._grabber: Grabber | None = None
        self._analyser: threading.Thread | None = None
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._analysis: Analysis | None = None
        self._mode = "page"
        self._guidance = MSG_PLACE
        self._preview: tuple[int, bytes] | None = None
        self._present = False
        self._interest = 0.0  # last time.monotonic() someone looked at the preview or captured
        self._unchanged_at = 0.0  # last time a frame looked like the analysed one (the ChangeGate let it pass)
        self.emulator: Any = None  # set by the sim factory

    # ----- contract ---------------------------------------------------------------------------
    async def capture_page(self, timeout: float | None = None, *, mode: str = "page") -> Completion[CapturedPage]:
        if mode not in MODES:
            return Completion.failure(CompletionCode.UNSUPPORTED, f"unknown mode {mode!r} (page, id_front, id_back)")
        return await self._execute("capture_page", lambda token: self._do_capture_page(token, mode), timeout)

    def latest_frame_jpeg(self) -> bytes | None:
        """The newest frame, downscaled for the live preview (cached per frame)."""
        self._interest = time.monotonic()
        frame = self._grabber.latest() if self._grabber else None
        if frame is None:
            return None
        cached = self._preview
        if cached and cached[0] == frame.seq:
            return cached[1]
        h, w = frame.image.shape[:2]
        scale = min(1.0, self.options.preview_width / w)
        small = cv2.resize(frame.image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else frame.image
        ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 75])
        if not ok:
            return None
        self._preview = (frame.seq, buf.tobytes())
        return self._preview[1]

    def latest_outline(self, normalized: bool = True) -> list[tuple[float, float]] | None:
        """The page outline in the newest analysed frame (tl, tr, br, bl) — as fractions of the frame
        size by default, so the UI can draw it over a preview of any size — or None."""
        self._interest = time.monotonic()
        analysis = self._analysis
        if analysis is None or analysis.detection.corners is None or time.monotonic() - max(analysis.frame.at, self._unchanged_at) > 1.0:
            return None
        w, h = analysis.detection.frame_size
        sx, sy = (1.0 / w, 1.0 / h) if normalized else (1.0, 1.0)
        return [(float(x) * sx, float(y) * sy) for x, y in analysis.detection.corners]

    def guidance(self) -> str:
        return self._guidance

    def capabilities(self) -> dict[str, Any]:
        info = self._source.describe() if self._source else {}
        return {"modes": sorted(MODES), "outputs": ["jpeg", "pdf"], "dpi": self.options.dpi, "max_bytes": self.options.max_bytes, **info}

    # ----- device worker ----------------------------------------------------------------------
    def _do_open(self, token: CancelToken) -> None:
        self._do_close()
        source = self._make_source()
        try:
            source.open()
        except DeviceUnavailableError:
            raise
        except (OSError, cv2.error) as exc:
            raise DeviceUnavailableError(f"camera: {exc}") from None
        self._source = source
        self._grabber = Grabber(source, on_error=self._grabber_error)
        self._grabber.start()
        if self._grabber.wait_newer(-1, max(0.5, min(5.0, token.remaining()))) is None:
            self._do_close()
            raise DeviceUnavailableError("camera delivers no frames")
        self._stop.clear()
        self._analyser = threading.Thread(target=self._analyse_loop, name=f"doccam-analyser-{self.name}", daemon=True)
        self._analyser.start()

    def _do_probe(self, token: CancelToken) -> None:
        """The grabber thread is the camera's monitor: it runs and reports no error (no I/O here)."""
        grabber = self._grabber
        if grabber is None or self._analyser is None or not self._analyser.is_alive():
            raise DeviceIOError("document camera not capturing")
        if grabber.error:
            raise DeviceIOError(f"camera: {grabber.error}")

    def _do_close(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._analyser is not None:
            self._analyser.join(timeout=2.0)
            self._analyser = None
        if self._grabber is not None:
            self._grabber.stop()
            self._grabber = None
        if self._source is not None:
            try:
                self._source.close()
            except Exception as exc:  # noqa: BLE001 - close must not raise
                log.warning("doccam close: %s", exc)
            self._source = None
        self._analysis = None

    def _do_capture_page(self, token: CancelToken, mode: str) -> Completion[CapturedPage] | CapturedPage:
        self._mode = mode
        opts = self.options
        tracker = StillTracker(opts.stable_frames, opts.stable_tolerance, opts.min_sharpness, opts.dark_level)
        seen = -1
        while token.remaining() > END_MARGIN_S:
            token.check()
            self._interest = time.monotonic()
            if self._grabber is None or self._grabber.error:
                raise DeviceIOError(f"camera: {self._grabber.error if self._grabber else 'not open'}")
            analysis = self._wait_analysis(seen, min(0.1, token.remaining()))
            if analysis is None:
                continue
            seen = analysis.frame.seq
            if analysis.mode != mode:
                continue
            verdict = tracker.update(analysis.detection)
            self._guidance = verdict.message
            if verdict.ready and verdict.corners is not None:
                token.check()
                return self._build(analysis, verdict.corners, mode)
        token.check()
        return Completion.failure(CompletionCode.TIMEOUT, f"no still, sharp {mode} before the deadline ({self._guidance})",
                                  citizen_message=self._guidance, error_code=CameraError.NO_SUBJECT, guidance=self._guidance)

    def _build(self, analysis: Analysis, corners: np.ndarray, mode: str) -> CapturedPage:
        opts = self.options
        started = time.perf_counter()
        encoded, detail = make_page(analysis.frame.image, corners, mode, dpi=opts.dpi, max_bytes=opts.max_bytes, output=opts.output,
                                    enhance=opts.enhance, grey=opts.grey, straighten=opts.deskew)
        w, h = analysis.detection.frame_size
        detail.update(corners=[(round(float(x), 2), round(float(y), 2)) for x, y in corners], frame_size=(w, h),
                      source_frame=analysis.frame.seq, sharpness=round(analysis.detection.sharpness, 1),
                      build_ms=round((time.perf_counter() - started) * 1000, 1))
        log.info("doccam %s: captured %s %dx%d q%s %d bytes", self.name, mode, encoded.width, encoded.height, encoded.quality, len(encoded.data))
        return CapturedPage(encoded.data, encoded.mime, encoded.width, encoded.height, int(cast(int, detail["dpi"])), "doccam", detail)

    # ----- analyser thread --------------------------------------------------------------------
    def _wait_analysis(self, seq: int, timeout: float) -> Analysis | None:
        with self._cond:
            self._cond.wait_for(lambda: self._stop.is_set() or (self._analysis is not None and self._analysis.frame.seq > seq), timeout)
            current = self._analysis
        return current if current is not None and current.frame.seq > seq else None

    def _analyse_loop(self) -> None:
        """Analyse at ``analysis_fps`` while someone captures or watches; otherwise at ``idle_fps``, and
        only frames in which something moved (``ChangeGate``): an untouched desk costs a thumbnail."""
        seq, misses, gate = -1, 0, ChangeGate()
        while not self._stop.is_set():
            grabber = self._grabber
            frame = grabber.wait_newer(seq, 0.2) if grabber else None
            if frame is None:
                continue
            started = time.monotonic()
            seq, mode = frame.seq, self._mode
            if started - self._interest < 2.0:
                gate.reset()  # live: every analysed frame is fresh for the capture and the outline
            if gate.changed(frame.image, mode, started):
                try:
                    detection = analyse(frame.image, mode)
                except cv2.error as exc:  # a corrupt frame must not kill the preview
                    log.warning("doccam analyse: %s", exc)
                    gate.reset()
                    continue
                with self._cond:
                    self._analysis = Analysis(frame, detection, mode)
                    self._cond.notify_all()
                misses = 0 if detection.corners is not None else misses + 1
                self._track_presence(detection.corners is not None, misses)
            elif self._analysis is not None:  # looks like the last analysed frame: same verdict, counted again
                self._unchanged_at = frame.at
                found = self._analysis.detection.corners is not None
                misses = 0 if found else misses + 1
                self._track_presence(found, misses)
            busy = time.monotonic() - self._interest < 2.0
            period = 1.0 / (self.options.analysis_fps if busy else self.options.idle_fps)
            deadline = started + period
            while not self._stop.is_set() and time.monotonic() < deadline:  # wake early when interest returns
                self._stop.wait(min(0.05, max(0.0, deadline - time.monotonic())))
                if not busy and time.monotonic() - self._interest < 0.1:
                    break

    def _track_presence(self, found: bool, misses: int) -> None:
        if found and not self._present:
            self._present = True
            self.bus.publish(MediaInserted(self.name, media="page", detail={"mode": self._mode}))
        elif not found and self._present and misses >= 5:
            self._present = False
            self.bus.publish(MediaRemoved(self.name, media="page"))

    def _grabber_error(self, error: str) -> None:
        if error:
            self.runner.report(DeviceState.HARDWARE_ERROR, f"camera: {error}")
        else:
            self.runner.report(DeviceState.ONLINE)
