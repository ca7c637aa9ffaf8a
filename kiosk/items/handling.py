"""The handling mode of one application, decided from the item — never chosen by the citizen.

Why here and pure: 就地批办 (a decision printed on the spot) is lawful only for a 即办件 whose
conditions hold (``Item.immediate_decision``); every other application is accepted (受理) and routed
to the handling district's office. The submit step, the confirm screen and the catalog regression
test all ask this one function, so no path can end in an on-the-spot decision the item forbids.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.items.jurisdiction import CITY_DISTRICT, Routing
from kiosk.items.model import Item, TimeLimit

# 即办 conditions the terminal can check itself; the others (材料齐全, 符合法定形式, 信息比对一致 …) hold
# by construction at submit: the form is valid, every needed material is provided, identity is verified.
_IN_PERSON = "本人"


@dataclass(frozen=True)
class Handling:
    mode: str  # on_site | self_service | proxy_remote | multi_site
    immediate: bool  # decided on the spot (就地批办)
    why: str  # for logs and tests: which rule decided


def immediate_holds(item: Item, identity_kind: str | None) -> tuple[bool, str]:
    """Whether this application may be decided on the spot, and the reason if not."""
    decision = item.immediate_decision
    if not decision.allowed:
        return False, f"非即办件：{decision.basis}"
    if identity_kind is None:
        return False, "未核验身份"
    for condition in decision.conditions:
        if _IN_PERSON in condition and identity_kind == "agent":
            return False, f"即办条件“{condition}”不满足：代办"
    return True, decision.basis


def decide(item: Item, modes: tuple[str, ...], routing: Routing, identity_kind: str | None) -> Handling:
    """The one mode this terminal uses for ``item`` given the situation's ``modes`` and the routing."""
    offered = tuple(m for m in modes if m != "online") or tuple(m for m in item.handling_modes if m != "online")
    if routing.decision == "proxy":
        for mode in ("proxy_remote", "multi_site", "self_service"):
            if mode in offered:
                return Handling(mode, False, "异地办理：受理后转办理地")
    ok, why = immediate_holds(item, identity_kind)
    if ok and "on_site" in offered and routing.decision == "accept":
        return Handling("on_site", True, why)
    for mode in ("self_service", "multi_site", "proxy_remote"):
        if mode in offered:
            return Handling(mode, False, why)
    return Handling("self_service", False, why)  # an item offering only on_site but not 即办 now: accept and route


def next_steps(item: Item, handling: Handling, handling_district: str, district_name: str, promised: TimeLimit,
               deliveries: tuple[str, ...]) -> str:
    """What happens after submit, in plain words (the confirm screen and the speech say it)."""
    if handling.immediate:
        return "符合即办条件：提交后当场出具办理结果并打印，请在出纸口领取。"
    office = _office(item, handling_district, district_name)
    when = {"immediate": "当日办结", "working_days": f"承诺{promised.value}个工作日内办结",
            "days": f"承诺{promised.value}日内办结"}.get(promised.kind, "办理时限以办事指南为准")
    result = "，结果将短信通知" + ("，证件可邮寄或到窗口领取" if "post" in deliveries else "，可凭回执到窗口领取结果")
    return f"材料将提交至{office}审核，{when}{result}。"


def _office(item: Item, handling_district: str, district_name: str) -> str:
    """The office by name: 区县人力社保局 handled in 渝北区 reads 渝北区人力社保局."""
    body = item.handling_body if item.handling_body and "，" not in item.handling_body else None
    if handling_district == CITY_DISTRICT or not district_name:
        return item.department if body is None or "区县" in body else body
    if body is not None and "区县" in body:
        return body.replace("区县", district_name, 1)
    local = item.department.removeprefix("重庆市").removeprefix("市")
    return f"{district_name}{body if body and not body.startswith('重庆市') else local}"
