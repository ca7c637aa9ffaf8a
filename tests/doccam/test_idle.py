"""Idle is cheap but not blind: unchanged desks skip analysis, anything placed is seen, the clip loops its stills."""

from __future__ import annotations

import asyncio
import time

from drivers.doccam.stability import ChangeGate
from kiosk.terminal.events import EventBus, MediaInserted, MediaRemoved
from kiosk.terminal.registry import build_device
from sim.devices.doccam.emulator import STILL_VARIANTS, DoccamEmulator
from sim.devices.doccam.scenes import make_scene
from tests.doccam.conftest import sim_spec


def test_gate_skips_noise_but_not_a_page() -> None:
    empty = make_scene("empty", width=640, height=360, frames=3, seed=1)  # same desk, fresh sensor noise per frame
    page = make_scene("a4", width=640, height=360, frames=1, moving=0, seed=1)
    gate = ChangeGate()
    assert gate.changed(empty.frames[0], "page", 0.0)  # nothing to compare with: analyse
    assert not gate.changed(empty.frames[1], "page", 0.5)
    assert not gate.changed(empty.frames[2], "page", 1.0)
    assert gate.changed(page.frames[0], "page", 1.5)  # a page put down
    assert not gate.changed(page.frames[0], "page", 2.0)
    assert gate.changed(page.frames[0], "id_front", 2.5)  # another question about the same picture
    assert gate.changed(page.frames[0], "id_front", 2.5 + gate.recheck_s)  # trusted for recheck_s only
    gate.reset()
    assert gate.changed(page.frames[0], "id_front", 13.0)


def test_a_long_clip_draws_few_stills_and_loops_them() -> None:
    emulator = DoccamEmulator(640, 360, fps=200.0)
    scene = emulator.place("a4", frames=30, moving=4, seed=6)
    assert scene.still_from == 4 and len(scene.frames) == 4 + STILL_VARIANTS
    emulator.open()
    shown = []
    while len(shown) < 30:
        got = emulator.read()
        if got is not None:
            shown.append(emulator.frame_index(got[0]))
    assert shown[:4] == [0, 1, 2, 3]  # the slide plays once
    assert set(shown[4:]) == set(range(4, 4 + STILL_VARIANTS))  # then the still frames loop
    assert emulator.place("a4", frames=30, moving=4, seed=6) is scene  # drawn once per process


async def test_idle_service_still_sees_pages_come_and_go() -> None:
    bus = EventBus()
    events: list[object] = []
    bus.subscribe(events.append, (MediaInserted, MediaRemoved))
    device = build_device(sim_spec(), bus)  # idle: nobody captures or watches the preview
    assert (await device.open()).ok
    try:
        await asyncio.sleep(1.0)  # the empty desk, analysed once, then gated
        device.emulator.place("a4", frames=6, moving=1, seed=8)
        deadline = time.monotonic() + 5
        while not any(isinstance(e, MediaInserted) for e in events) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert any(isinstance(e, MediaInserted) for e in events)
        device.emulator.clear()
        deadline = time.monotonic() + 8  # five misses at idle_fps
        while not any(isinstance(e, MediaRemoved) for e in events) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert any(isinstance(e, MediaRemoved) for e in events)
    finally:
        await device.close()
