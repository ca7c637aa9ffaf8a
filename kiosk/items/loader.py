"""Load a catalog directory: JSON Schema first, then semantic checks, then frozen model objects.

Layout of a catalog directory::

    DIR/*.json            one item per file (kind "item")
    DIR/life_events/*.json    一件事 (life events) (kind "life_event")
    DIR/templates/*.json  receipt / notice / certificate / blank-form templates, by file stem

``validate_dir`` returns every problem; ``load_catalog`` raises ``ItemConfigError`` if any.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from kiosk.errors import ItemConfigError
from kiosk.items import build
from kiosk.items.model import Item, LifeEvent
from kiosk.items.problems import Problem, json_path
from kiosk.items.semantic import check_item, check_life_event, template_names

SCHEMA_DIR = Path(__file__).parent / "schema"
TEMPLATE_KINDS = frozenset({"receipt", "notice", "certificate", "form"})


@cache
def validator(kind: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@dataclass
class ValidationResult:
    items: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # code → (file, doc)
    life_events: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)  # name → kind
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Catalog:
    """All items and life events of one configuration, keyed by code."""

    items: dict[str, Item]
    life_events: dict[str, LifeEvent]
    templates: frozenset[str]

    def item(self, code: str) -> Item:
        try:
            return self.items[code]
        except KeyError:
            raise KeyError(f"no item {code} in the catalog") from None

    def life_event(self, code: str) -> LifeEvent:
        try:
            return self.life_events[code]
        except KeyError:
            raise KeyError(f"no life event {code} in the catalog") from None


def _read(path: Path, shown: str, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(shown, "?", "$", "unreadable", str(exc)))
        return None
    except json.JSONDecodeError as exc:
        problems.append(Problem(shown, "?", "$", "invalid_json", f"line {exc.lineno} column {exc.colno}: {exc.msg}"))
        return None
    if not isinstance(doc, dict):
        problems.append(Problem(shown, "?", "$", "schema.type", "top level must be an object"))
        return None
    return doc


def _schema_problems(doc: dict[str, Any], kind: str, shown: str) -> list[Problem]:
    raw_code = doc.get("code")
    code = raw_code if isinstance(raw_code, str) else "?"
    out = []
    for err in sorted(validator(kind).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        out.append(Problem(shown, code, json_path(err.absolute_path), f"schema.{err.validator}", err.message[:300]))
    return out


def check_document(doc: dict[str, Any], kind: str, file: str, templates: Mapping[str, str],
                   items: dict[str, dict[str, Any]] | None = None) -> list[Problem]:
    """Schema then semantic problems of one item or life event document (no cross-file checks)."""
    problems = _schema_problems(doc, kind, file)
    if problems:
        return problems
    if kind == "item":
        return check_item(doc, file, templates)
    return check_life_event(doc, file, items or {}, templates)


def validate_dir(directory: str | Path) -> ValidationResult:
    """Validate every item, life event and template reference under ``directory``."""
    root = Path(directory)
    result = ValidationResult(templates=template_names(root / "templates"))
    for path in sorted((root / "templates").glob("*.json")):
        doc = _read(path, str(path), result.problems)
        if doc is not None and (doc.get("kind") not in TEMPLATE_KINDS or not doc.get("title")):
            result.problems.append(Problem(str(path), path.stem, "$", "bad_template",
                                           f"template needs a title and kind in {sorted(TEMPLATE_KINDS)}"))
            result.templates.pop(path.stem, None)
    if not root.is_dir():
        result.problems.append(Problem(str(root), "?", "$", "missing_directory", "catalog directory not found"))
        return result
    item_files = sorted(root.glob("*.json"))
    if not item_files:
        result.problems.append(Problem(str(root), "?", "$", "empty_catalog", "no item files (*.json)"))
    for path in item_files:
        _load_one(path, "item", result.items, result)
    for path in sorted((root / "life_events").glob("*.json")):
        _load_one(path, "life_event", result.life_events, result)
    item_docs = {code: doc for code, (_, doc) in result.items.items()}
    for shown, doc in result.items.values():
        result.problems.extend(check_item(doc, shown, result.templates))
    for shown, doc in result.life_events.values():
        result.problems.extend(check_life_event(doc, shown, item_docs, result.templates))
    return result


def _load_one(path: Path, kind: str, into: dict[str, tuple[str, dict[str, Any]]], result: ValidationResult) -> None:
    shown = str(path)
    doc = _read(path, shown, result.problems)
    if doc is None:
        return
    schema_problems = _schema_problems(doc, kind, shown)
    if schema_problems:
        result.problems.extend(schema_problems)
        return
    code = doc["code"]
    if code in into:
        first = into[code][0]
        result.problems.append(Problem(shown, code, "$.code", "duplicate_code", f"code {code} is also used by {first}"))
        return
    into[code] = (shown, doc)


def load_catalog(directory: str | Path) -> Catalog:
    """Validated, typed catalog; raises ``ItemConfigError`` listing every problem."""
    result = validate_dir(directory)
    if not result.ok:
        raise ItemConfigError(f"{len(result.problems)} problem(s) in item catalog {directory}",
                              [str(p) for p in result.problems])
    items = {code: build.item(doc, shown) for code, (shown, doc) in result.items.items()}
    life_events = {code: build.life_event(doc, shown) for code, (shown, doc) in result.life_events.items()}
    return Catalog(items=items, life_events=life_events, templates=frozenset(result.templates))
