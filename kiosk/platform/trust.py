"""What a terminal trusts about its platform: the pinned keys and the suites it accepts, and the checks built on them.

``PlatformTrust`` holds the platform's answer-signing key and the operations key that signs remote commands
(both pinned in the terminal config, or handed over by a platform plugin such as the simulators' emulator).
``response_refusal`` and ``command_refusal`` return None when a signed thing passes, else the reason — a result,
not an exception, because a refusal is an expected outcome the caller audits and reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.platform.signing import command_bytes, decode_signature, response_string
from kiosk.security.suite import SUITES, Policy, VerifyKey, load_public


@dataclass(frozen=True)
class PlatformTrust:
    platform_key: VerifyKey | None = None
    operations_key: VerifyKey | None = None
    policy: Policy = field(default_factory=lambda: Policy(SUITES))

    @classmethod
    def from_keys(cls, platform_b64: str, operations_b64: str, accept: tuple[str, ...] = SUITES) -> PlatformTrust:
        """Empty strings pin nothing (every answer / command is then refused); ValueError on a malformed key."""
        return cls(load_public(platform_b64) if platform_b64.strip() else None,
                   load_public(operations_b64) if operations_b64.strip() else None, Policy(accept))

    def response_refusal(self, status: int, method: str, target: str, nonce: str, headers: Mapping[str, str], body: bytes) -> str | None:
        """Why a platform answer to our request (``nonce``) is not to be believed, or None."""
        alg, timestamp, signature = (headers.get(h, "") for h in ("x-platform-alg", "x-platform-time", "x-platform-signature"))
        if not signature or not timestamp.isdigit():
            return "the answer is not signed by the platform"
        if alg not in SUITES:
            return f"answer signed with unknown suite {alg[:20]!r}"
        message = response_string(alg, status, method, target, nonce, timestamp, body)
        return self.policy.refusal(alg, self.platform_key, decode_signature(signature), message)

    def command_refusal(self, command: Mapping[str, Any], terminal_id: str, now: float, last_counter: int) -> str | None:
        """Why a remote command must not run here, or None: operations signature, this terminal, not expired, counter
        strictly above the last one run."""
        refusal = self.policy.refusal(command.get("alg"), self.operations_key, decode_signature(str(command.get("signature", ""))),
                                      command_bytes(dict(command)))
        if refusal is not None:
            return f"not signed by the operations key: {refusal}"
        if command.get("terminal_id") != terminal_id:
            return f"issued for terminal {str(command.get('terminal_id'))[:40]!r}, not this one"
        expires, counter = command.get("expires_at"), command.get("counter")
        if not isinstance(expires, int) or expires <= now:
            return f"expired at {expires}"
        if not isinstance(counter, int) or counter <= last_counter:
            return f"counter {counter} not above the last one run ({last_counter}): replayed or out of order"
        return None
