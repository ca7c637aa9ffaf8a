"""Emulators for the 渝快码 reader: a phone screen held up to the camera, and a serial scanner on a pty.

Both are product code: ``sim:barcode`` runs the real camera-decoding driver on the rendered frames,
and the serial emulator is a real pty peer for the real serial driver. ``render_qr_frame`` is also
used by the tests and the benchmark to make frames (rotated, small, noisy).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import tty

import cv2
import numpy as np
import qrcode

FRAME_SIZE = (1280, 720)


def demo_token() -> str:
    """A random token shaped like a 渝快码 payload (opaque to us: prefix + base64url-ish body)."""
    return "YKM1." + secrets.token_urlsafe(48)


def qr_matrix(text: str, error_correction: int = qrcode.constants.ERROR_CORRECT_M) -> np.ndarray:
    """The QR modules of ``text`` as a uint8 array (1 = dark), quiet zone included."""
    qr = qrcode.QRCode(error_correction=error_correction, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return np.array(qr.get_matrix(), dtype=np.uint8)


def background(size: tuple[int, int] = FRAME_SIZE, seed: int = 1) -> np.ndarray:
    """A dim, blotchy service-hall counter as the camera sees it without a phone."""
    width, height = size
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.integers(40, 110, (height, width, 3), dtype=np.uint8), (0, 0), 9)


def render_qr_frame(
    text: str,
    *,
    size: tuple[int, int] = FRAME_SIZE,
    code_px: int = 360,
    angle: float = 0.0,
    centre: tuple[float, float] = (0.5, 0.5),
    noise: float = 0.0,
    blur: int = 0,
    seed: int = 0,
) -> np.ndarray:
    """A BGR camera frame showing ``text`` as a QR of about ``code_px`` pixels on a phone screen.

    ``angle`` rotates the phone (degrees), ``noise`` adds Gaussian sensor noise (σ in grey levels),
    ``blur`` an odd Gaussian kernel size (defocus).
    """
    width, height = size
    rng = np.random.default_rng(seed)
    frame = background(size, seed)
    modules = qr_matrix(text)
    cell = max(1, code_px // modules.shape[0])
    code = np.kron(1 - modules, np.ones((cell, cell), np.uint8)) * 235 + 10
    pad = cell * 2
    screen = np.full((code.shape[0] + 2 * pad, code.shape[1] + 2 * pad), 245, np.uint8)
    screen[pad : pad + code.shape[0], pad : pad + code.shape[1]] = code
    screen_bgr = cv2.cvtColor(screen, cv2.COLOR_GRAY2BGR)
    h, w = screen.shape
    cx, cy = centre[0] * width, centre[1] * height
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix[0, 2] += cx - w / 2
    matrix[1, 2] += cy - h / 2
    mask = cv2.warpAffine(np.full((h, w), 255, np.uint8), matrix, (width, height), flags=cv2.INTER_NEAREST)
    warped = cv2.warpAffine(screen_bgr, matrix, (width, height), flags=cv2.INTER_LINEAR)
    frame[mask > 0] = warped[mask > 0]
    if blur:
        frame = cv2.GaussianBlur(frame, (blur | 1, blur | 1), 0)
    if noise:
        noisy = frame.astype(np.int16) + rng.normal(0, noise, frame.shape).astype(np.int16)
        frame = np.clip(noisy, 0, 255).astype(np.uint8)
    return frame


class QrScreenEmulator:
    """A camera frame source showing a phone with a 渝快码, or an empty counter.

    Control API: ``show(code)`` / ``clear()``. Frames are rendered once per change and served at
    ``fps`` like a live camera; it implements ``drivers.camera.capture.FrameSource``.
    """

    def __init__(self, code: str = "", *, size: tuple[int, int] = FRAME_SIZE, fps: float = 15.0) -> None:
        self.size = size
        self.fps = fps
        self._lock = threading.Lock()
        self._blank = background(size)
        self._blank.flags.writeable = False  # frames are served as is (no copy per frame): read-only
        self._frame = self._blank
        self.code = ""
        self.frames_served = 0
        self._opened = False
        if code:
            self.show(code)

    def show(self, code: str, **render: object) -> None:
        """Hold a phone showing ``code`` in front of the camera (render options as ``render_qr_frame``)."""
        frame = render_qr_frame(code, size=self.size, **render)  # type: ignore[arg-type]
        frame.flags.writeable = False
        with self._lock:
            self.code, self._frame = code, frame

    def clear(self) -> None:
        """Take the phone away."""
        with self._lock:
            self.code, self._frame = "", self._blank

    # FrameSource
    def open(self) -> None:
        self._opened = True

    def read(self) -> np.ndarray | None:
        time.sleep(1.0 / self.fps)
        with self._lock:
            self.frames_served += 1
            return self._frame  # shared and read-only: copying 2.7 MB 15 times a second is idle CPU

    def close(self) -> None:
        self._opened = False


class ScannerEmulator:
    """A serial QR scanner on a pty: ``scan(code)`` writes the code and its terminator.

    ``port`` is the slave device the driver opens. ``send_raw`` writes arbitrary bytes (garbage,
    partial lines) for fault tests; ``byte_delay_s`` spreads a line over time like a 9600-baud wire.
    """

    def __init__(self, terminator: bytes = b"\r\n", byte_delay_s: float = 0.0) -> None:
        self.terminator = terminator
        self.byte_delay_s = byte_delay_s
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self._lock = threading.Lock()
        self.closed = False

    def scan(self, code: str) -> None:
        self.send_raw(code.encode("utf-8") + self.terminator)

    def send_raw(self, data: bytes) -> None:
        with self._lock:
            if self.byte_delay_s:
                for i in range(len(data)):
                    os.write(self._master, data[i : i + 1])
                    time.sleep(self.byte_delay_s)
            else:
                os.write(self._master, data)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            for fd in (self._master, self._slave):
                try:
                    os.close(fd)
                except OSError:
                    pass
