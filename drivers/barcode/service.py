"""BarcodeReader services: QR from camera frames, lines from a serial scanner, or keys from a USB HID wedge scanner.

    barcode = "camera:0"                                   V4L2 camera index (or camera:///dev/video2)
    barcode = "camera:///srv/clips/phone.mp4?decoder=zxing" a recorded clip replayed as a camera
    barcode = "serial:///dev/kiosk-qr?baud=9600&terminator=crlf"
    barcode = "evdev:///dev/input/by-id/usb-SCANNER-event-kbd"  a keyboard-wedge scanner, grabbed
    barcode = "evdev:?match=Honeywell"                     the first *Honeywell*-event-kbd in /dev/input/by-id
    barcode = "sim:barcode?code=YKM1.abc"                  the camera driver on rendered frames
    barcode = "sim:barcode?via=serial"                     the serial driver on a pty scanner emulator

Codes are opaque tokens: only length/charset are checked here; the platform verifies them.
Codes that arrived before ``read_code`` started are discarded, so a code left in a scanner's
buffer can never be handed to the next citizen. A scanned line that is not a token (non-ASCII,
control characters, undecodable bytes, keys outside the layout) ends the read at once as
``invalid_data`` with ``UNREADABLE_CODE`` for the citizen; only the camera keeps looking, since a
misdecoded frame is not something the citizen did.
"""

from __future__ import annotations

import logging
import os
import termios
from typing import Any

import serial

from drivers.barcode.decoders import DEFAULT_DECODER, make_decoder
from drivers.barcode.evdev import EventDevice, find_device
from drivers.barcode.keymap import KeyedLine, KeyTranslator
from drivers.barcode.options import CameraBarcodeOptions, EvdevBarcodeOptions, SerialBarcodeOptions
from drivers.barcode.protocol import UNREADABLE_CODE, LineFramer, check_token, decode_line
from drivers.camera.capture import FrameGrabber, FrameSource, source_for_target, start_grabber
from kiosk.errors import ConfigError, DeviceIOError, DeviceUnavailableError, InvalidDataError
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.device import DeviceService
from kiosk.terminal.error_codes import BarcodeError
from kiosk.terminal.events import EventBus, MediaInserted
from kiosk.terminal.media import ScannedCode
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass, DeviceState

log = logging.getLogger(__name__)

READ_SLICE_S = 0.02  # serial read slice: how quickly a cancel reaches the worker


class BarcodeService(DeviceService):
    device_class = DeviceClass.BARCODE_READER
    emulator: Any = None

    async def read_code(self, timeout: float | None = None) -> Completion[ScannedCode]:
        """Wait for one code; ``timeout`` when none is shown in time."""
        return await self._execute("read_code", self._do_read_code, timeout)

    def _do_read_code(self, token: CancelToken) -> ScannedCode | Completion[ScannedCode]:
        raise NotImplementedError

    def _got(self, code: ScannedCode) -> ScannedCode:
        log.info("barcode %s: %r", self.name, code)
        self.bus.publish(MediaInserted(self.name, media="code", detail={"source": code.source, "length": len(code.text)}))
        return code

    def _unreadable(self, exc: InvalidDataError, source: str) -> Completion[ScannedCode]:
        """A scan that is not a token: answered now (the citizen is holding up the wrong code)."""
        log.warning("barcode %s: rejected a scanned %s code: %s", self.name, source, exc)
        return Completion.failure(CompletionCode.INVALID_DATA, f"unreadable code from the {source} scanner: {exc}",
                                  RecoveryAction.RETRY, UNREADABLE_CODE, error_code=BarcodeError.INVALID_CODE, source=source)

    @staticmethod
    def _nothing(rejected: int) -> Completion[ScannedCode]:
        extra = f"; {rejected} unreadable or cut-off codes ignored" if rejected else ""
        return Completion.failure(CompletionCode.TIMEOUT, f"no code shown before the deadline{extra}", error_code=BarcodeError.NO_CODE,
                                  rejected=rejected)


class SerialBarcodeReader(BarcodeService):
    """A scanner that sends each code as a terminated line over a (USB-)serial port."""

    def __init__(self, name: str, bus: EventBus, port: str, *, baud: int = 9600, terminator: str = "any", stale_s: float = 0.5, **kw: Any) -> None:
        super().__init__(name, bus, **kw)
        self.port, self.baud = port, baud
        self.framer = LineFramer(terminator, stale_s)
        self._serial: serial.Serial | None = None

    def capabilities(self) -> dict[str, Any]:
        return {"source": "serial", "port": self.port, "baud": self.baud}

    def _do_open(self, token: CancelToken) -> None:
        try:
            self._serial = serial.Serial(self.port, self.baud, timeout=READ_SLICE_S)
        except serial.SerialException as exc:
            raise DeviceUnavailableError(f"cannot open scanner port {self.port}: {exc}") from None

    def _do_probe(self, token: CancelToken) -> None:
        """Reopen a lost port; an open one whose device node vanished (USB unplugged while idle) is lost."""
        if self._serial is None:
            self._do_open(token)
            return
        if not os.path.exists(self.port):
            self._do_close()
            raise DeviceUnavailableError(f"scanner port {self.port} is gone (unplugged?)")

    def _do_close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except (OSError, serial.SerialException):
                pass

    def _do_read_code(self, token: CancelToken) -> ScannedCode | Completion[ScannedCode]:
        if self._serial is None:  # lost earlier (unplugged): try again now
            self._do_open(token)
            self.runner.report(DeviceState.ONLINE)
        port = self._serial
        assert port is not None
        dropped_before = self.framer.dropped
        try:
            port.reset_input_buffer()  # stale codes belong to nobody
            self.framer.clear()
            while token.remaining() > 0:
                token.check()
                data = port.read(max(1, port.in_waiting))
                for line in self.framer.feed(data):
                    try:
                        return self._got(ScannedCode(decode_line(line), "QRCode", "serial"))
                    except InvalidDataError as exc:
                        return self._unreadable(exc, "serial")
        except (serial.SerialException, OSError, termios.error) as exc:
            self._do_close()
            self.runner.report(DeviceState.HARDWARE_ERROR, f"scanner port lost: {exc}")
            raise DeviceIOError(f"scanner port {self.port} failed: {exc}") from None
        return self._nothing(self.framer.dropped - dropped_before)


class KeyboardWedgeReader(BarcodeService):
    """A USB HID scanner in keyboard mode, read from its input event device (grabbed, so the
    keystrokes never reach the screen) and typed through the US layout map."""

    def __init__(self, name: str, bus: EventBus, target: str, *, match: str = "", terminator: str = "enter", grab: bool = True,
                 require_grab: bool = False, stale_s: float = 0.5, **kw: Any) -> None:
        super().__init__(name, bus, **kw)
        self.target, self.match = target, match
        self.grab, self.require_grab = grab, require_grab
        self.keys = KeyTranslator(terminator, stale_s)
        self._device: EventDevice | None = None

    def capabilities(self) -> dict[str, Any]:
        device = self._device
        return {"source": "evdev", "target": self.target, "match": self.match, "layout": "us",
                "device": str(device.path) if device else "", "name": device.name if device else "",
                "grabbed": bool(device and device.grabbed)}

    def _do_open(self, token: CancelToken) -> None:
        device = EventDevice(find_device(self.target, self.match), grab=self.grab)
        if device.grab_error and self.require_grab:
            device.close()
            raise DeviceUnavailableError(device.grab_error)
        self._device = device
        if device.grab_error:
            log.warning("barcode %s: %s", self.name, device.grab_error)
        self._report_grab(device)

    def _report_grab(self, device: EventDevice) -> None:
        """Online, saying whether the keystrokes are kept from the screen (a failed grab is not a fault, but is shown)."""
        self.runner.report(DeviceState.ONLINE, device.grab_error, grabbed=device.grabbed, grab_error=device.grab_error)

    def _do_probe(self, token: CancelToken) -> None:
        """Reopen a lost device; an open one whose node or by-id name vanished (unplugged while idle) is lost."""
        device = self._device
        if device is None:
            self._do_open(token)
            return
        if not device.path.exists():
            self._do_close()
            raise DeviceUnavailableError(f"scanner input device {device.path} is gone (unplugged?)")
        self._report_grab(device)

    def _do_close(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            device.close()

    def _do_read_code(self, token: CancelToken) -> ScannedCode | Completion[ScannedCode]:
        if self._device is None:  # lost earlier (unplugged): try again now
            self._do_open(token)
        device = self._device
        assert device is not None
        dropped_before = self.keys.dropped
        try:
            device.drain()  # keys typed before the read belong to nobody
            self.keys.clear()
            while token.remaining() > 0:
                token.check()
                for ev_type, code, value in device.read_events(READ_SLICE_S):
                    for line in self.keys.feed(ev_type, code, value):
                        try:
                            return self._got(ScannedCode(self._checked(line), "QRCode", "evdev"))
                        except InvalidDataError as exc:
                            return self._unreadable(exc, "evdev")
                self.keys.expire()
        except DeviceIOError as exc:
            self._do_close()
            self.runner.report(DeviceState.HARDWARE_ERROR, f"scanner input device lost: {exc}")
            raise
        return self._nothing(self.keys.dropped - dropped_before)

    @staticmethod
    def _checked(line: KeyedLine) -> str:
        if line.problems:
            raise InvalidDataError(f"code of {len(line.text)} keys, not typeable on the US layout: {'; '.join(line.problems[:3])}")
        return check_token(line.text)


class CameraBarcodeReader(BarcodeService):
    """Decodes QR codes from the newest camera frame (the grabber drops the rest)."""

    def __init__(self, name: str, bus: EventBus, source: FrameSource, *, decoder: str = DEFAULT_DECODER, **kw: Any) -> None:
        super().__init__(name, bus, **kw)
        self.source = source
        self.decoder = make_decoder(decoder)
        self.grabber: FrameGrabber | None = None
        self.frames_decoded = 0

    def capabilities(self) -> dict[str, Any]:
        return {"source": "camera", "decoder": self.decoder.name}

    def _do_open(self, token: CancelToken) -> None:
        self.grabber = start_grabber(self.source, self.name, self.runner)

    def _do_probe(self, token: CancelToken) -> None:
        """Restart a stopped grabber; one that gets no frames is a hardware fault."""
        if self.grabber is None:
            self._do_open(token)
        elif self.grabber.fault:
            raise DeviceIOError(f"camera gives no frames: {self.grabber.fault}")

    def _do_close(self) -> None:
        grabber, self.grabber = self.grabber, None
        if grabber is not None:
            grabber.stop()

    def _do_read_code(self, token: CancelToken) -> ScannedCode | Completion[ScannedCode]:
        grabber = self.grabber
        if grabber is None:
            raise DeviceIOError("camera not open")
        latest = grabber.latest()
        seen = latest.seq if latest else 0  # only frames grabbed after the command started
        rejected = 0
        while token.remaining() > 0:
            token.check()
            if grabber.fault:
                raise DeviceIOError(f"camera gives no frames: {grabber.fault}")
            frame = grabber.wait_newer(seen, min(0.05, token.remaining()))
            if frame is None:
                continue
            seen = frame.seq
            self.frames_decoded += 1
            for text in self.decoder.decode(frame.image):
                try:
                    return self._got(ScannedCode(check_token(text), "QRCode", "camera"))
                except InvalidDataError as exc:
                    rejected += 1
                    log.warning("barcode %s: ignored a QR code: %s", self.name, exc)
        return self._nothing(rejected)


# ----- factories (driver_table) ----------------------------------------------------------------
@takes_options(SerialBarcodeOptions)
def build_serial(spec: DeviceSpec, bus: EventBus) -> SerialBarcodeReader:
    opts = options_for(spec, SerialBarcodeOptions)
    port = spec.url.target or spec.url.host
    if not port:
        raise ConfigError(f"devices.{spec.name}: {spec.url.raw}: no serial port (e.g. serial:///dev/kiosk-qr)")
    return SerialBarcodeReader(
        spec.name,
        bus,
        port,
        baud=opts.baud,
        terminator=opts.terminator,
        stale_s=opts.stale_ms / 1000.0,
        default_timeout=spec.timeout_s,
    )


@takes_options(EvdevBarcodeOptions)
def build_evdev(spec: DeviceSpec, bus: EventBus) -> KeyboardWedgeReader:
    opts = options_for(spec, EvdevBarcodeOptions)
    target = spec.url.target or spec.url.host
    if not target and not opts.match:
        raise ConfigError(f"devices.{spec.name}: {spec.url.raw}: no input device "
                          "(e.g. evdev:///dev/input/by-id/usb-…-event-kbd or evdev:?match=NAME)")
    return KeyboardWedgeReader(
        spec.name,
        bus,
        target,
        match=opts.match,
        terminator=opts.terminator,
        grab=opts.grab,
        require_grab=opts.require_grab,
        stale_s=opts.stale_ms / 1000.0,
        default_timeout=spec.timeout_s,
    )


@takes_options(CameraBarcodeOptions)
def build_camera(spec: DeviceSpec, bus: EventBus) -> CameraBarcodeReader:
    opts = options_for(spec, CameraBarcodeOptions)
    target = spec.url.target or spec.url.host or "0"
    return CameraBarcodeReader(spec.name, bus, source_for_target(target, opts.source()), decoder=opts.decoder, default_timeout=spec.timeout_s)
