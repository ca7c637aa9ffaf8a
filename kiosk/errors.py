"""The one exception tree of the terminal.

Exceptions are for programming and configuration errors, and for I/O failures inside a driver
before they are turned into a ``Completion`` at the device boundary. Expected outcomes (no card,
paper out, jam, platform rejected the request) are result objects, not exceptions.

    KioskError
    ├── ConfigError                 a terminal/item configuration is invalid (names file, key, problem)
    │   ├── ItemConfigError         an item configuration breaks the schema
    │   ├── RequiredDeviceConfigError  a required device's config is invalid: start-up stops (exit EXIT_CONFIG)
    │   └── FontNotFound            no CJK font installed (kiosk.fonts)
    ├── StoreError                  the SQLite store cannot be opened/migrated
    │   ├── AuditIntegrityError     the audit chain is broken (names the first bad record)
    │   └── OutboxUnavailable       the outbox's key is missing or does not open its sealed rows: no new applications
    ├── DeviceError                 raised inside drivers; translated to a Completion by the runner
    │   ├── DeviceUnavailableError  library or device node missing (→ no_device)
    │   ├── DeviceIOError           the transport failed: port gone, socket closed (→ hardware_error)
    │   ├── DeviceTimeoutError      the device stayed silent past its deadline (→ timeout)
    │   ├── ProtocolError           a malformed frame or answer (→ hardware_error, action retry)
    │   ├── InvalidDataError        the medium's data is wrong (bad check digit) (→ invalid_data)
    │   └── CommandCanceled         the command saw its cancel token (→ canceled)
    ├── PlatformError               the platform API failed
    │   ├── PlatformUnavailable     network down, 5xx, timeout: retry later
    │   ├── PlatformRejected        4xx with a machine-readable code, message and field
    │   └── PlatformAuthError       401/403: signature, clock or key problem
    └── FlowError                   a flow was driven with an intent its state does not accept
"""

from __future__ import annotations

#: Exit status of ``kiosk run`` when the configuration is invalid (sysexits.h EX_CONFIG). The unit lists it in
#: ``RestartPreventExitStatus=`` so systemd does not restart-loop on a config a technician must fix.
EXIT_CONFIG = 78


class KioskError(Exception):
    """Root of every exception this project raises on purpose."""


class ConfigError(KioskError):
    """A configuration file is invalid. ``problems`` lists every finding, not just the first."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class ItemConfigError(ConfigError):
    """An item configuration breaks the item schema."""


class RequiredDeviceConfigError(ConfigError):
    """A required device's spec (scheme or options) is invalid: the terminal must not start without it."""

    def __init__(self, device: str, problems: list[str]) -> None:
        super().__init__(f"required device {device}: " + "; ".join(problems), problems)
        self.device = device


class StoreError(KioskError):
    """The SQLite store cannot be opened, migrated or written."""


class AuditIntegrityError(StoreError):
    """The audit chain is broken; ``seq`` is the first record that fails."""

    def __init__(self, message: str, seq: int | None) -> None:
        super().__init__(message)
        self.seq = seq


class OutboxUnavailable(StoreError):
    """The outbox holds sealed applications its key cannot open (key deleted or replaced).

    The terminal stops accepting applications and keeps the rows until the backed-up key is restored
    (``kiosk outbox restore-key``); a new key is never generated over them."""


class DeviceError(KioskError):
    """Raised inside a driver; the command runner maps it to a ``Completion``."""


class DeviceUnavailableError(DeviceError):
    """The library or the device node is missing."""


class DeviceIOError(DeviceError):
    """The transport failed (port vanished, socket closed, USB unplugged)."""


class DeviceTimeoutError(DeviceError):
    """The device did not answer before its deadline."""


class ProtocolError(DeviceError):
    """A malformed frame or an answer that breaks the protocol."""


class InvalidDataError(DeviceError):
    """The medium was read but its data is invalid (e.g. an ID number with a wrong check digit)."""


class CommandCanceled(DeviceError):
    """The running command observed its cancel token and stopped cleanly."""


class PlatformError(KioskError):
    """The platform API call failed."""


class PlatformUnavailable(PlatformError):
    """Network error, timeout or 5xx: the call may succeed later."""


class PlatformRejected(PlatformError):
    """The platform refused the request (4xx) with a machine-readable code and a Chinese message."""

    def __init__(self, code: str, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(f"{code}: {message}" + (f" ({field})" if field else ""))
        self.code = code
        self.message = message
        self.field = field
        self.status = status


class PlatformAuthError(PlatformRejected):
    """401/403: bad signature, stale clock, replayed nonce or unknown terminal."""


class FlowError(KioskError):
    """A flow received an intent that its current state does not accept."""
