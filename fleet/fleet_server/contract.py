"""The only door to the terminal's repository code: the shared contract, nothing of the terminal's code paths.

The fleet server and the terminal must agree byte for byte on the OpenAPI document (request validation), the
canonical strings of signed requests, answers and commands, and the algorithm suites (SM2-SM3 / ed25519). Those
live in ``kiosk.platform.contract``, ``kiosk.platform.signing``, ``kiosk.platform.rollout`` and
``kiosk.security.suite``; importing them here (and only here — tests/fleet_server/test_boundary.py checks it)
keeps one definition instead of a copy that could drift.
"""

from __future__ import annotations

from kiosk.errors import ConfigError as KeyFormatError  # what the suite module raises for an unreadable private key
from kiosk.platform.contract import ApiError, Operation, operations
from kiosk.platform.rollout import bucket, choose
from kiosk.platform.signing import (
    NONCE_PATTERN,
    REPLAY_WINDOW_S,
    body_digest,
    canonical_string,
    decode_signature,
    load_public_key,
    sign_command,
    sign_response,
)
from kiosk.security.suite import ED25519, SM2_SM3, SUITES, Policy, SigningKey, VerifyKey, digest, generate, load_private_pem

#: The operations of the contract this server answers; the citizen-side rest stays with the platform.
FLEET_OPERATIONS = ("ping", "registerTerminal", "heartbeat", "currentConfig", "uploadLogs", "downloadBundle")


def fleet_operations() -> dict[str, Operation]:
    """operationId → Operation (with its validators) for the fleet endpoints."""
    return {op.operation_id: op for op in operations() if op.operation_id in FLEET_OPERATIONS}


__all__ = ["ED25519", "FLEET_OPERATIONS", "NONCE_PATTERN", "REPLAY_WINDOW_S", "SM2_SM3", "SUITES", "ApiError", "KeyFormatError",
           "Operation", "Policy", "SigningKey", "VerifyKey", "body_digest", "bucket", "canonical_string", "choose", "decode_signature",
           "digest", "fleet_operations", "generate", "load_private_pem", "load_public_key", "sign_command", "sign_response"]
