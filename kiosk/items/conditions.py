"""The small condition language of item configurations (required_when on fields and materials).

Forms: ``{"answer": {"question": q, "in": [options]}}``, ``{"field": {"id": f, "in": [values]}}``,
``{"identity": [methods]}``, ``{"delivery": [methods]}``, ``{"all": [...]}``, ``{"any": [...]}``,
``{"not": {...}}``. Deliberately tiny: the semantic check can resolve every reference, and the
flow engine evaluates it against a ``ConditionContext`` without any eval().
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Condition:
    """One node of the small condition language (answer / field / identity / delivery / all / any / not)."""

    op: str
    arg: Any

    @staticmethod
    def parse(doc: Mapping[str, Any] | None) -> Condition | None:
        if doc is None:
            return None
        ((op, arg),) = doc.items()
        if op in ("all", "any"):
            arg = tuple(Condition.parse(c) for c in arg)
        elif op == "not":
            arg = Condition.parse(arg)
        elif op in ("identity", "delivery"):
            arg = tuple(arg)
        else:
            arg = {**arg, "in": tuple(arg["in"])}
        return Condition(op, arg)

    def evaluate(self, ctx: ConditionContext) -> bool:
        """True if the session context satisfies this condition."""
        if self.op == "all":
            return all(c.evaluate(ctx) for c in self.arg)
        if self.op == "any":
            return any(c.evaluate(ctx) for c in self.arg)
        if self.op == "not":
            return not self.arg.evaluate(ctx)
        if self.op == "identity":
            return ctx.identity in self.arg
        if self.op == "delivery":
            return ctx.delivery in self.arg
        if self.op == "answer":
            return ctx.answers.get(self.arg["question"]) in self.arg["in"]
        return ctx.fields.get(self.arg["id"]) in self.arg["in"]


@dataclass(frozen=True)
class ConditionContext:
    """What a condition can look at: guide answers, form values, identity method, delivery choice."""

    answers: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, Any] = field(default_factory=dict)
    identity: str | None = None
    delivery: str | None = None
