"""Replayed devices: the real driver of a class built from a ``replay:`` URL through the installed entry points."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass

SESSIONS = Path(__file__).resolve().parent / "sessions"


def replay_url(path: Path | str, speed: float = 0.0) -> str:
    return f"replay:{path}?speed={speed}"


@pytest.fixture
async def replayed() -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """``await replayed(DeviceClass.X, "session-name" | path, speed=…)``: built (entry point ``X.replay``) and opened."""
    services: list[Any] = []

    async def make(device_class: DeviceClass, session: str | Path, speed: float = 0.0, timeout_s: float = 5.0, open_: bool = True) -> Any:
        path = session if isinstance(session, Path) else SESSIONS / f"{session}.jsonl"
        spec = DeviceSpec(device_class.value, device_class, DeviceUrl.parse(replay_url(path, speed)), timeout_s=timeout_s)
        service = build_device(spec, EventBus())
        services.append(service)
        if open_:
            opened = await service.open()
            assert opened.ok, opened.description
        return service

    yield make
    for service in services:
        await service.close()
