"""The [xfs] section: loopback only, a configured token long enough, off by default."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kiosk.xfs.options import DEFAULT_PORT, XfsSection


def test_defaults_are_off_on_loopback_with_a_per_start_token() -> None:
    section = XfsSection()
    assert (section.enabled, section.host, section.port, section.token) == (False, "127.0.0.1", DEFAULT_PORT, "")


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.5", "::", "localhost", ""])
def test_a_non_loopback_host_is_a_config_error(host: str) -> None:
    with pytest.raises(ValidationError, match="127.0.0.1"):
        XfsSection(host=host)


def test_ipv6_loopback_is_allowed() -> None:
    assert XfsSection(host="::1").host == "::1"


def test_a_short_configured_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="24"):
        XfsSection(token="short")


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ValidationError):
        XfsSection(bind="0.0.0.0")  # type: ignore[call-arg]
