"""The platform emulator over real HTTP, a registered client and a verified person (shared with tests/platform)."""

from tests.platform.conftest import client, person_token, platform, terminal_key  # noqa: F401
