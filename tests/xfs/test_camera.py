"""The Camera interface: the face camera's status, capabilities and TakePicture on the sim camera."""

from __future__ import annotations

import base64

import pytest

from tests.xfs.conftest import CONFIG, Client

CAMERA_CONFIG = CONFIG.split("[devices.")[0] + """
[devices.camera]
url = "sim:camera?scene=good"
timeout_s = 20
"""


@pytest.fixture
def terminal_config() -> str:
    return CAMERA_CONFIG


async def test_camera_status_capabilities_and_take_picture(open_client) -> None:
    client: Client = await open_client("camera")
    status = (await client.call("Common.Status", 1))[-1]["payload"]
    assert status["common"]["device"] == "online" and status["camera"]["cameras"] == {"person": "ok"}
    caps = (await client.call("Common.Capabilities", 2))[-1]["payload"]
    assert [i["name"] for i in caps["interfaces"]] == ["Common", "Camera"]
    assert caps["camera"]["cameras"] == {"person": True}
    done = (await client.call("Camera.TakePicture", 3, {"camera": "person"}, timeout_ms=20_000))[-1]
    assert done["header"]["completionCode"] == "success", done
    assert base64.b64decode(done["payload"]["pictureFile"])[:3] == b"\xff\xd8\xff"  # a JPEG
