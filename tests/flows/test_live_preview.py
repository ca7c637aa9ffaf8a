"""While the 高拍仪 waits for a still page, the materials screen gets live frames and the outline."""

from __future__ import annotations

from kiosk.flows import intents as I
from kiosk.flows.controller import Controller
from sim.robot import Robot, load_personas
from kiosk.flows.viewmodels import MaterialsVM, ViewModel

from tests.flows.conftest import Harness


def test_doccam_capture_streams_preview_and_outline(harness: Harness) -> None:
    services = harness.sim.services
    seen: list[ViewModel] = []

    async def scenario() -> MaterialsVM:
        controller = Controller(services, seen.append)
        robot = Robot(controller, load_personas()["zhangsan"], lambda line: None)
        await controller.send(I.Touch())
        await controller.send(I.Start("00011500100001"))  # 居民医保参保登记: photo from the 高拍仪 (张三 is 渝北户籍: no 居住证)
        while not isinstance(controller.view, MaterialsVM):
            intent = robot.decide(controller.view)
            if robot.prepare is not None:
                await robot.prepare
                robot.prepare = None
            await controller.send(intent)
        material = next(m.id for m in controller.view.materials if any(s.id == "doccam" for s in m.sources))
        services.terminal.doccam.emulator.place("a4")  # a citizen lays the page down
        await controller.send(I.Capture(material, "doccam"))
        after = controller.view
        await controller.end("finished")
        assert isinstance(after, MaterialsVM)
        return after

    after = harness.call(scenario, timeout=90)
    live = [v for v in seen if isinstance(v, MaterialsVM) and v.capturing == "doccam" and v.preview_jpeg]
    assert live, "no live frame while the 高拍仪 was capturing"
    assert live[-1].preview_jpeg.startswith(b"\xff\xd8")  # type: ignore[union-attr]
    assert any(len(v.outline) == 4 and all(0 <= x <= 1 and 0 <= y <= 1 for x, y in v.outline) for v in live)
    assert after.capturing is None  # the step ended: no stale preview screen left behind
