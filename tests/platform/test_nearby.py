"""GET /v1/terminals/nearby over real HTTP: the terminals in service nearest to the asking terminal."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.terminal.platform import PlatformClient
from sim.platform.server import EmbeddedPlatform


async def other_terminal(platform: EmbeddedPlatform, terminal_id: str, district: str, hall: str, state: str) -> None:
    c = PlatformClient(platform.url, terminal_id, Ed25519PrivateKey.generate(), enrollment_code="DEMO-ENROLL", district_code=district, hall=hall, timeout_s=5, retries=0)
    await c.register()
    await c.heartbeat({"software_version": "0.1.0", "config_version": "0", "terminal_state": state})
    await c.aclose()


async def test_nearest_first_from_this_terminals_centre(client: PlatformClient) -> None:
    found = await client.list_nearby_terminals(limit=5)
    assert len(found) == 5
    assert found[0].centre_name == "渝北区政务服务中心" and found[0].distance_km == 0.0  # another terminal in this very hall
    distances = [t.distance_km for t in found]
    assert distances == sorted(distances) and all(d is not None for d in distances)
    assert client.terminal_id not in {t.terminal_id for t in found}  # never sends the citizen to the terminal that failed them


async def test_a_registered_terminal_counts_only_while_in_service(platform: EmbeddedPlatform, client: PlatformClient) -> None:
    await other_terminal(platform, "CQ-500112-T002", "500112", "渝北区政务服务中心", "in_service")
    await other_terminal(platform, "CQ-500112-T003", "500112", "渝北区政务服务中心", "out_of_service")
    found = {t.terminal_id for t in await client.list_nearby_terminals(limit=20)}
    assert "CQ-500112-T002" in found and "CQ-500112-T003" not in found
