"""Typed interfaces of the nine device classes: what flows may ask of each device.

Every command is ``async``, takes a ``timeout`` in seconds (``None``: the device's default), may be
cancelled (all, or one by its request id), and returns a ``Completion`` carrying its request id and, on
failure, a class-specific ``error_code``. The shared surface (``status``, ``capabilities``, ``open``,
``reset``, ``close``, ``cancel``, ``pending`` and the supervision hooks) comes from ``DeviceService``;
drivers subclass it and one of these.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from kiosk.terminal.completion import Completion
from kiosk.terminal.media import CapturedPage, FaceCapture, IdCardData, PrintJobResult, ScannedCode, SocialSecurityCard
from kiosk.terminal.status import DeviceStatus


@runtime_checkable
class Device(Protocol):
    name: str

    def status(self) -> DeviceStatus: ...
    def capabilities(self) -> dict[str, Any]: ...
    async def open(self, timeout: float | None = None) -> Completion[None]: ...
    async def reset(self, timeout: float | None = None, *, quiet: bool = False) -> Completion[None]: ...
    async def close(self) -> None: ...
    def cancel(self, reason: str = "canceled", *, request_id: int | None = None) -> bool: ...
    def pending(self) -> list[tuple[int, str]]: ...
    # supervision (kiosk.terminal.supervisor): a quiet probe and re-open, the driver's poller/monitor
    @property
    def probes(self) -> bool: ...
    async def probe(self, timeout: float | None = None) -> Completion[None]: ...
    async def reopen(self, timeout: float | None = None) -> Completion[None]: ...
    async def start_monitoring(self) -> None: ...
    async def stop_monitoring(self) -> None: ...
    @property
    def monitoring(self) -> bool: ...


@runtime_checkable
class IdCardReader(Device, Protocol):
    """二代证 reader. A polling loop publishes MediaInserted/MediaRemoved while started."""

    async def read_card(self, timeout: float | None = None, *, fingerprint: bool = False) -> Completion[IdCardData]: ...
    async def start_polling(self, interval_s: float = 0.5) -> None: ...
    async def stop_polling(self) -> None: ...


@runtime_checkable
class ChipCardReader(Device, Protocol):
    """社保卡 reader over PC/SC."""

    async def read_card(self, timeout: float | None = None) -> Completion[SocialSecurityCard]: ...
    async def list_readers(self, timeout: float | None = None) -> Completion[list[str]]: ...
    async def read_technician_id(self, timeout: float | None = None) -> Completion[str]:
        """The technician number on a maintenance card (maintenance-mode login)."""
        ...


@runtime_checkable
class BarcodeReader(Device, Protocol):
    """渝快码 / 电子身份证 QR from a camera or a serial scanner."""

    async def read_code(self, timeout: float | None = None) -> Completion[ScannedCode]: ...


@runtime_checkable
class Camera(Device, Protocol):
    """Face capture for 人证核验: waits for a frame that passes the quality checks."""

    async def capture_face(self, timeout: float | None = None) -> Completion[FaceCapture]: ...
    def guidance(self) -> str: ...
    def latest_frame_jpeg(self) -> bytes | None: ...


@runtime_checkable
class DocumentCamera(Device, Protocol):
    """高拍仪: auto-captures a still, sharp page, corrected for perspective. ``mode``: page | id_front | id_back."""

    async def capture_page(self, timeout: float | None = None, *, mode: str = "page") -> Completion[CapturedPage]: ...
    def latest_frame_jpeg(self) -> bytes | None: ...
    def guidance(self) -> str: ...
    def latest_outline(self, normalized: bool = True) -> list[tuple[float, float]] | None:
        """The detected page's four corners in the latest frame (fractions of the frame when normalized)."""
        ...


@runtime_checkable
class Scanner(Device, Protocol):
    """SANE scanner, flatbed or ADF."""

    async def scan(
        self, timeout: float | None = None, *, source: str = "flatbed", mode: str = "color", dpi: int = 300, max_pages: int = 50
    ) -> Completion[list[CapturedPage]]: ...


@runtime_checkable
class ReceiptPrinter(Device, Protocol):
    """ESC/POS receipt printer. ``document`` is a ``kiosk.terminal.receipt.ReceiptDocument``."""

    async def print_document(self, document: Any, timeout: float | None = None) -> Completion[None]: ...
    async def refresh_status(self, timeout: float | None = None) -> Completion[DeviceStatus]: ...


@runtime_checkable
class DocumentPrinter(Device, Protocol):
    """A4 printer (证明, 告知书): prints a PDF and follows the job to its end."""

    async def print_pdf(self, pdf: bytes, title: str, timeout: float | None = None) -> Completion[PrintJobResult]: ...


@runtime_checkable
class Speaker(Device, Protocol):
    """Voice prompts (espeak-ng ``cmn-latn-pinyin``)."""

    async def speak(self, text: str, timeout: float | None = None) -> Completion[None]: ...
