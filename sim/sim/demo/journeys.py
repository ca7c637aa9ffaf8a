"""Citizens' journeys on the real flow engine: the same Simulator that ``kiosk simulate`` drives.

Each journey is a persona doing an item end to end — identify, guide, form, materials, sign,
submit through the outbox into the embedded platform, receipt, 好差评 — printed step by step.
The selection shows the main paths: a 一件事 bundle with 电子证照 and the 告知书, 就地批办 with its
A4 result, elder mode routed to another district, 代办, 渝快码 and 社保卡 identification.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kiosk.settings.model import TerminalConfig


@dataclass(frozen=True)
class Journey:
    title: str
    item: str
    persona: str
    elder: bool = False
    notice: bool = False


JOURNEYS = (
    Journey("新生儿出生一件事（4 个事项，一张回执，电子证照免提交）", "YJS000001", "zhangsan", notice=True),
    Journey("社会保险个人参保证明打印（就地批办，A4 当场出证）", "00011200400001", "zhangsan"),
    Journey("长辈模式：高龄津贴（异地代收代办，每步语音）", "00011500100001", "lixiuying", elder=True),
    Journey("代办：代理人为李秀英办理", "00010900200001", "agent_zhangsan_for_lixiuying"),
    Journey("渝快码登录办理", "00011300100001", "lisi"),
    Journey("社保卡登录办理", "00012700100001", "wangwu"),
)


async def run_journeys(config: TerminalConfig, out: Path, say: Callable[[str], None] = print) -> list[dict[str, object]]:
    """Run every journey in one Simulator (devices and platform opened once); return a summary row each."""
    from sim.simulate import Simulator

    rows: list[dict[str, object]] = []
    sim = await Simulator.open(config, say=say)
    try:
        for journey in JOURNEYS:
            say(f"\n━━ {journey.title} — {journey.item} / {journey.persona}")
            result = await sim.run(journey.item, journey.persona, elder=journey.elder, print_notice=journey.notice, out=out)
            rows.append({"journey": journey.title, "item": journey.item, "persona": journey.persona,
                         "receipt": bool(result.receipt)})
    finally:
        await sim.close()
    return rows
