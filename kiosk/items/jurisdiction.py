"""Where an application may be accepted and which district handles it (全渝通办 routing).

The flow engine asks two questions at the submit step: may this terminal accept the item for this
applicant, and which district's office handles it. Answers come from the item's jurisdiction
rules, the applicant's districts (from shared data / the platform) and the terminal's district.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.items.model import Item

CITY_DISTRICT = "500000"  # 重庆市 administrative division code

# Which applicant district each rule looks at.
_RULE_KEY = {
    "household": "household",
    "residence": "residence",
    "insured": "insured",
    "property": "property",
    "business_premises": "business_premises",
    "workplace": "workplace",
}


@dataclass(frozen=True)
class Routing:
    """Result of routing: ``decision`` is accept (handled here or centrally), proxy (异地代收代办:
    accepted here, forwarded to ``handling_district``) or refuse (with a reason to show)."""

    decision: str  # accept | proxy | refuse
    receiving_district: str
    handling_district: str | None
    reason: str = ""


def route(item: Item, terminal_district: str, applicant: Mapping[str, str | None],
          situation_modes: tuple[str, ...] | None = None) -> Routing:
    """Route one application. ``applicant`` maps household/residence/insured/... → district code."""
    jur = item.jurisdiction
    modes = situation_modes or item.handling_modes
    handling = _handling_district(jur.handling_district, terminal_district, applicant)
    if handling is None:
        return Routing("refuse", terminal_district, None,
                       f"缺少申请人的{jur.handling_district}区县信息，无法确定办理地")
    if jur.any_district:
        local = jur.handling_district == "city" or handling == terminal_district
        return Routing("accept" if local else "proxy", terminal_district, handling)
    allowed_here = any(applicant.get(_RULE_KEY[rule]) == terminal_district for rule in jur.accept_in if rule in _RULE_KEY)
    if allowed_here:
        return Routing("accept", terminal_district, handling or terminal_district)
    if "proxy_remote" in modes or "online" in modes:
        return Routing("proxy", terminal_district, handling, "异地代收代办：本终端受理后转办理地")
    return Routing("refuse", terminal_district, handling, "本事项须在规定区县办理，本终端不能受理")


def _handling_district(rule: str, terminal_district: str, applicant: Mapping[str, str | None]) -> str | None:
    if rule == "receiving":
        return terminal_district
    if rule == "city":
        return CITY_DISTRICT  # a municipal body handles it, whichever terminal received it
    return applicant.get(_RULE_KEY[rule])
