"""Item configurations (事项配置): schema, validation and the typed catalog the flow engine reads.

Public surface::

    load_catalog(dir) -> Catalog          raises ItemConfigError listing every problem
    validate_dir(dir) -> ValidationResult  every Problem (file, code, JSON path, rule, message)
    route(item, terminal_district, applicant) -> Routing   accept / proxy (异地代收代办) / refuse
    Item, Situation, GuideQuestion, FormField, Material, ReviewPoint, LifeEvent, ConditionContext
"""

from kiosk.items.jurisdiction import Routing, route
from kiosk.items.loader import Catalog, ValidationResult, load_catalog, validate_dir
from kiosk.items.model import (
    Basis,
    Condition,
    ConditionContext,
    Delivery,
    FormField,
    GuideOption,
    GuideQuestion,
    Item,
    LifeEvent,
    LifeEventMember,
    Material,
    ReviewPoint,
    SharedField,
    SharedMaterial,
    Situation,
    TimeLimit,
)
from kiosk.items.problems import Problem
from kiosk.items.vocab import SCHEMA_VERSION

__all__ = [
    "Basis", "LifeEvent", "LifeEventMember", "Catalog", "Condition", "ConditionContext", "Delivery", "FormField",
    "GuideOption", "GuideQuestion", "Item", "Material", "Problem", "ReviewPoint", "Routing", "SCHEMA_VERSION",
    "SharedField", "SharedMaterial", "Situation", "TimeLimit", "ValidationResult", "load_catalog", "route", "validate_dir",
]
