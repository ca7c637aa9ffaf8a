"""QR decoders for camera frames, behind one small interface so they can be measured side by side.

Measured on one core, 1280×720 frames (``bench/bench_qr.py``): zxing-cpp on the grayscale frame
restricted to QR is about an order of magnitude faster than OpenCV's detectors and reads the same
frames, so it is the default. The OpenCV ones stay selectable (``decoder=`` in the device URL)
because they ship with OpenCV and need no second native library.
"""

from __future__ import annotations

import abc
from collections.abc import Callable

import cv2
import numpy as np


class QrDecoder(abc.ABC):
    """Finds and decodes the QR codes in one frame."""

    name: str = ""

    @abc.abstractmethod
    def decode(self, frame: np.ndarray) -> list[str]:
        """All QR texts found in a BGR or grayscale frame (empty list: none)."""


def _gray(frame: np.ndarray) -> np.ndarray:
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


class ZxingDecoder(QrDecoder):
    """zxing-cpp on the grayscale frame, QR formats only (all formats costs ~10× more)."""

    name = "zxing"

    def __init__(self) -> None:
        import zxingcpp

        self._zx = zxingcpp
        self._formats = zxingcpp.BarcodeFormat.QRCode

    def decode(self, frame: np.ndarray) -> list[str]:
        # Plain: the payload as sent; the default (HRI) would turn control bytes into "<BEL>" text
        results = self._zx.read_barcodes(_gray(frame), formats=self._formats, text_mode=self._zx.TextMode.Plain)  # type: ignore[arg-type]  # zxingcpp converts a single BarcodeFormat to BarcodeFormats implicitly; its stub only names the latter
        return [r.text for r in results if r.valid and r.text]


class OpenCvDecoder(QrDecoder):
    """``cv2.QRCodeDetector`` (classic finder-pattern detector)."""

    name = "opencv"

    def __init__(self) -> None:
        self._detector: cv2.QRCodeDetector | cv2.QRCodeDetectorAruco = cv2.QRCodeDetector()

    def decode(self, frame: np.ndarray) -> list[str]:
        ok, texts, _points, _ = self._detector.detectAndDecodeMulti(_gray(frame))
        return [t for t in texts if t] if ok else []


class ArucoDecoder(OpenCvDecoder):
    """``cv2.QRCodeDetectorAruco`` (finder patterns found with the ArUco machinery)."""

    name = "aruco"

    def __init__(self) -> None:
        self._detector = cv2.QRCodeDetectorAruco()


class WeChatDecoder(QrDecoder):
    """opencv-contrib ``wechat_qrcode`` without its CNN detector/super-resolution models (the
    project ships none): it then uses its own traditional detector."""

    name = "wechat"

    def __init__(self) -> None:
        if not hasattr(cv2, "wechat_qrcode_WeChatQRCode"):
            raise RuntimeError("this OpenCV build has no wechat_qrcode module")
        self._detector = cv2.wechat_qrcode_WeChatQRCode()

    def decode(self, frame: np.ndarray) -> list[str]:
        texts, _points = self._detector.detectAndDecode(_gray(frame))
        return [t for t in texts if t]


DECODERS: dict[str, Callable[[], QrDecoder]] = {
    "zxing": ZxingDecoder,
    "opencv": OpenCvDecoder,
    "aruco": ArucoDecoder,
    "wechat": WeChatDecoder,
}
DEFAULT_DECODER = "zxing"


def make_decoder(name: str = DEFAULT_DECODER) -> QrDecoder:
    """Build a decoder by name; a ValueError names the known ones."""
    try:
        factory = DECODERS[name]
    except KeyError:
        raise ValueError(f"unknown QR decoder {name!r} (known: {', '.join(DECODERS)})") from None
    return factory()
