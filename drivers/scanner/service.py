"""Scanner over SANE (python-sane): flatbed or ADF, colour or grey, at a requested dpi.

Pages come back JPEG-encoded with their real dpi (read back from the backend, which may round).
Feeder empty, jam and cover open are completions; a jam or cover error mid-batch keeps the pages
already scanned in ``data``. Cancel and timeout reach a page being read through ``sane_cancel``.

URL: ``sane:DEVICE`` (e.g. ``sane:test:0``, ``sane:epson2:libusb:001:004``); ``?opt.NAME=VALUE``
sets a backend option (hyphens or underscores) on every scan; ``?config_dir=/path`` sets
``SANE_CONFIG_DIR`` for the libsane process (see ``sanelib``).

libsane itself runs in a worker process per device (``remote``/``worker``): a libsane deadlock or
crash takes down only that child, which is killed and replaced for the next command.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from PIL import Image

from drivers.scanner import sanelib
from drivers.scanner.options import ScannerOptions
from drivers.scanner.protocol import MODE_HINTS, SOURCE_HINTS, fault_for, pick_choice, status_name
from drivers.scanner.remote import SaneError, SaneWorker
from kiosk.errors import DeviceError, DeviceIOError, DeviceUnavailableError
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode
from kiosk.terminal.device import DeviceService
from kiosk.terminal.error_codes import CommonError, ErrorCode, ScannerError
from kiosk.terminal.events import EventBus
from kiosk.terminal.media import CapturedPage
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass, DeviceState

A4_MM = (210.0, 297.0)

#: Called before each page with (page_index, source); returns backend options to set for that page.
PageOptions = Callable[[int, str], dict[str, Any]]


#: The class error code of a SANE status (the completion code and action come from scanner.protocol).
SANE_ERRORS: dict[str, ErrorCode] = {
    "NO_DOCS": ScannerError.NO_MEDIA,
    "JAMMED": ScannerError.MEDIA_JAMMED,
    "COVER_OPEN": ScannerError.COVER_OPEN,
    "IO_ERROR": CommonError.IO,
    "ACCESS_DENIED": CommonError.CONFIGURATION,
}


class SaneScanner(DeviceService):
    device_class = DeviceClass.SCANNER

    def __init__(
        self, name: str, bus: EventBus, device_name: str, *, config_dir: str = "", options: dict[str, Any] | None = None,
        page_options: PageOptions | None = None, jpeg_quality: int = 85, default_timeout: float | None = None,
    ) -> None:
        super().__init__(name, bus, default_timeout=default_timeout)
        if not device_name:
            raise ValueError("sane: URL needs a device name, e.g. sane:test:0")
        self.device_name = device_name
        self.config_dir = config_dir
        self.options = {k.replace("-", "_"): v for k, v in (options or {}).items()}
        self.page_options = page_options
        self.jpeg_quality = jpeg_quality
        self._worker = SaneWorker(name)
        self._opened = False
        self._opts: dict[str, tuple[int, Any, bool]] = {}  # name -> (SANE type, constraint, settable)
        self._caps: dict[str, Any] = {}

    def capabilities(self) -> dict[str, Any]:
        return dict(self._caps)

    @property
    def worker_pid(self) -> int | None:
        """The libsane worker process (for the technician and tests); None before open."""
        return self._worker.pid if self._worker.alive else None

    # ----- lifecycle ---------------------------------------------------------------------------
    def _do_open(self, token: CancelToken) -> None:
        if self._opened and self._worker.alive:
            return
        if not sanelib.available():
            raise DeviceUnavailableError(sanelib.IMPORT_ERROR)
        self._worker.start()
        try:
            self._opts = self._worker.call("open", self.device_name, self.config_dir, token=token)
        except SaneError as exc:
            self._worker.stop()
            raise DeviceUnavailableError(f"cannot open SANE device {self.device_name!r}: {exc}") from None
        except BaseException:
            self._worker.stop()
            raise
        self._opened = True
        self._caps = self._read_capabilities()

    def _do_probe(self, token: CancelToken) -> None:
        """The libsane worker process is alive (a crashed backend takes it down); no scan, no device I/O."""
        if not (self._opened and self._worker.alive):
            raise DeviceIOError(f"SANE worker for {self.device_name!r} is not running")

    def _do_close(self) -> None:
        self._opened = False
        self._worker.stop()

    def _read_capabilities(self) -> dict[str, Any]:
        def constraint(name: str) -> Any:
            return self._opts[name][1] if name in self._opts else None

        sources = constraint("source") or ["Flatbed"]
        res = constraint("resolution")
        dpi = {"min": res[0], "max": res[1]} if isinstance(res, tuple) else {"values": list(res or [])}
        area = constraint("br_x"), constraint("br_y")
        return {
            "device": self.device_name,
            "adf": pick_choice("adf", list(sources), SOURCE_HINTS) is not None,
            "sources": list(sources),
            "modes": list(constraint("mode") or []),
            "dpi": dpi,
            "max_area_mm": [area[0][1], area[1][1]] if all(isinstance(a, tuple) for a in area) else None,
        }

    # ----- the contract ------------------------------------------------------------------------
    async def scan(
        self, timeout: float | None = None, *, source: str = "flatbed", mode: str = "color", dpi: int = 300, max_pages: int = 50
    ) -> Completion[list[CapturedPage]]:
        return await self._execute("scan", lambda token: self._do_scan(token, source, mode, dpi, max_pages), timeout)

    def _set(self, token: CancelToken, name: str, value: Any) -> None:
        try:
            self._worker.call("set", name, value, token=token)
        except DeviceError:
            raise
        except Exception as exc:  # noqa: BLE001 — _sane.error and the C module's ValueError/TypeError for a bad option value
            raise DeviceIOError(f"cannot set SANE option {name}={value!r}: {exc}") from None

    def _configure(self, token: CancelToken, source: str, mode: str, dpi: int) -> tuple[str, str, int, tuple[float, float]] | Completion[Any]:
        """Set source, mode, dpi and an A4 area (clipped to the bed); return what the backend took."""
        offered_sources = self._caps.get("sources", [])
        sane_source = pick_choice(source, offered_sources, SOURCE_HINTS)
        if sane_source is None:
            return Completion.failure(CompletionCode.UNSUPPORTED, f"source {source!r} not offered (have {offered_sources})")
        sane_mode = pick_choice(mode, self._caps.get("modes", []), MODE_HINTS)
        if sane_mode is None:
            return Completion.failure(CompletionCode.UNSUPPORTED, f"mode {mode!r} not offered (have {self._caps.get('modes')})")
        if "source" in self._opts:
            self._set(token, "source", sane_source)
        self._set(token, "mode", sane_mode)
        if "depth" in self._opts and self._opts["depth"][2]:
            self._set(token, "depth", 8)
        self._set(token, "resolution", int(dpi))
        max_area = self._caps.get("max_area_mm") or list(A4_MM)
        area = (min(A4_MM[0], float(max_area[0])), min(A4_MM[1], float(max_area[1])))
        if "br_x" in self._opts:
            self._set(token, "tl_x", 0.0)
            self._set(token, "tl_y", 0.0)
            self._set(token, "br_x", area[0])
            self._set(token, "br_y", area[1])
        for name, value in self.options.items():
            self._set(token, name, _coerce(self._opts[name][0] if name in self._opts else 3, value))
        actual_dpi = int(round(float(self._worker.call("get", "resolution", token=token))))
        return sane_source, sane_mode, actual_dpi, area

    def _do_scan(self, token: CancelToken, source: str, mode: str, dpi: int, max_pages: int) -> Completion[list[CapturedPage]]:
        if not self._opened:
            raise DeviceUnavailableError("scanner not open")
        if not self._worker.alive:  # the last worker died or was killed: a fresh one, device reopened
            self._do_open(token)
        self._worker.call("cancel", token=token)  # leave any half-finished state of a previous command
        configured = self._configure(token, source, mode, dpi)
        if isinstance(configured, Completion):
            return configured
        sane_source, sane_mode, actual_dpi, area = configured
        adf = source == "adf"
        pages: list[CapturedPage] = []
        try:
            while len(pages) < (max_pages if adf else 1):
                token.check()
                for name, value in (self.page_options(len(pages), source) if self.page_options else {}).items():
                    self._set(token, name, value)
                try:
                    image = self._snap(token, adf)
                except DeviceError:
                    raise
                except Exception as exc:  # noqa: BLE001 — _sane.error carries only sane_strstatus()
                    token.check()  # "Operation was cancelled" because we canceled: say so
                    message = str(exc.args[0]) if exc.args else str(exc)
                    if adf and pages and status_name(message) == "NO_DOCS":
                        break  # the normal end of a batch
                    return self._fault(message, pages)
                pages.append(self._encode(image, actual_dpi, len(pages) + 1, sane_source, sane_mode, area))
        finally:
            if self._worker.alive:
                try:
                    self._worker.call("cancel", timeout=self._worker.grace_s)
                except DeviceError:
                    pass  # the worker is gone; the next command starts a new one
        self.runner.report(DeviceState.ONLINE)
        end = "feeder_empty" if adf and len(pages) < max_pages else "max_pages" if adf else "flatbed"
        return Completion.success(pages, f"{len(pages)} page(s) at {actual_dpi} dpi", pages=len(pages), end=end, dpi=actual_dpi, area_mm=list(area))

    def _snap(self, token: CancelToken, adf: bool) -> Image.Image:
        """One sheet. When the command is canceled or its deadline passes the worker process gets
        ``sane_cancel`` (from its second thread), and is killed if it does not answer within its
        grace, so a slow or wedged page never outlives its command and the runner never has to
        abandon a thread that is inside libsane."""
        image: Image.Image = self._worker.call("snap", adf, token=token)
        token.check()  # a canceled read returns a partial image: drop it
        return image

    def _fault(self, message: str, pages: list[CapturedPage]) -> Completion[list[CapturedPage]]:
        fault = fault_for(message)
        if fault.state is not None:
            self.runner.report(fault.state, fault.description, sane_status=status_name(message))
        return Completion.failure(
            fault.code, f"{fault.description} after {len(pages)} page(s)", fault.action, fault.citizen_message,
            data=pages or None, error_code=SANE_ERRORS.get(status_name(message)), pages_scanned=len(pages), sane_status=status_name(message),
        )

    def _encode(self, image: Image.Image, dpi: int, number: int, source: str, mode: str, area: tuple[float, float]) -> CapturedPage:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB" if image.mode not in ("1", "I;16") else "L")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=self.jpeg_quality, dpi=(dpi, dpi), optimize=True)
        detail = {"page": number, "source": source, "mode": "gray" if image.mode == "L" else "color", "area_mm": list(area)}
        return CapturedPage(out.getvalue(), "image/jpeg", image.width, image.height, dpi, "scanner", detail)


def _coerce(sane_type: int, value: Any) -> Any:
    """URL options arrive as text; SANE wants bool (0), int (1), fixed (2) or string (3)."""
    if not isinstance(value, str) or sane_type == 3:
        return value
    if sane_type == 0:
        return value.lower() in ("1", "yes", "true", "on")
    return int(value) if sane_type == 1 else float(value)


@takes_options(ScannerOptions)
def build(spec: DeviceSpec, bus: EventBus) -> DeviceService:
    """``sane:DEVICE?opt.NAME=VALUE&config_dir=/path&jpeg_quality=85``."""
    opts = options_for(spec, ScannerOptions)
    return SaneScanner(
        spec.name, bus, spec.url.target or spec.url.host,
        config_dir=opts.config_dir, options=dict(opts.sane_options), jpeg_quality=opts.jpeg_quality, default_timeout=spec.timeout_s,
    )
