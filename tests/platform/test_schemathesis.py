"""Property-based fuzzing of the emulator against its own contract (schemathesis): zero server errors.

Every generated request is signed (a requests auth hook signs the exact bytes sent), so the
fuzzing reaches validation and handlers instead of stopping at 401. Bounded: a few examples per
operation, a few seconds in all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from kiosk.platform.signing import public_key_b64, sign_headers
from sim.platform.server import EmbeddedPlatform

TERMINAL = "CQ-500112-FUZZ"


class _Signer(requests.auth.AuthBase):
    def __init__(self, key: Ed25519PrivateKey) -> None:
        self.key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urlsplit(request.url or "")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        request.headers.update(sign_headers(self.key, TERMINAL, request.method or "GET", target, body))
        return request


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedPlatform, requests.Session]]:
    key = Ed25519PrivateKey.generate()
    with EmbeddedPlatform(Path(tmp_path_factory.mktemp("fuzz")) / "platform.db") as platform:
        registered = requests.post(platform.url + "/v1/terminals/register", timeout=5, json={
            "terminal_id": TERMINAL, "public_key": public_key_b64(key), "enrollment_code": "DEMO-ENROLL", "district_code": "500112"})
        assert registered.status_code == 200
        session = requests.Session()
        session.auth = _Signer(key)
        yield platform, session
        session.close()


# schemathesis' own pytest plugin (``from_fixture``/``parametrize``) does not run under pytest 9
# ("'Function' object has no attribute '_nodeid'"), so operations are driven with hypothesis directly.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_emulator_never_answers_5xx_and_keeps_its_contract(fuzz_target: tuple[EmbeddedPlatform, requests.Session], mode: GenerationMode) -> None:
    platform, session = fuzz_target
    api = schemathesis.openapi.from_url(platform.url + "/openapi.json")
    failures: list[str] = []
    calls = 0
    for result in api.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=False)
        def exercise(case: Any) -> None:
            nonlocal calls
            calls += 1
            response = case.call(session=session, timeout=10)
            case.validate_response(response, checks=CHECKS)

        try:
            exercise()
        except Unsatisfiable:  # negative mode on an operation without inputs: nothing to break
            continue
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:600]}")
    assert calls > 26 * 2
    assert not failures, "\n\n".join(failures)
