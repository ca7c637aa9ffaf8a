"""The committed OpenAPI document, loaded once, and request validation derived from it.

The emulator validates every request with the schemas in this document (jsonschema, 2020-12), so
the contract and the emulator cannot drift: changing a rule means changing ``openapi.json``.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

CONTRACT_URI = "urn:kiosk-platform-contract"
_MESSAGES = {
    "required": "缺少必填字段",
    "pattern": "格式不正确",
    "type": "类型不正确",
    "enum": "取值不在允许范围内",
    "const": "取值不在允许范围内",
    "maxLength": "内容过长",
    "minLength": "内容过短",
    "minimum": "数值过小",
    "maximum": "数值过大",
    "maxItems": "条目过多",
    "minItems": "条目过少",
    "uniqueItems": "条目重复",
    "additionalProperties": "包含接口未定义的字段",
    "maxProperties": "字段过多",
    "format": "格式不正确",
}


class ApiError(Exception):
    """A 4xx answer: machine-readable code, Chinese message, offending field."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


@functools.cache
def contract_text() -> str:
    return resources.files("kiosk.platform").joinpath("openapi.json").read_text(encoding="utf-8")


@functools.cache
def contract() -> dict[str, Any]:
    return json.loads(contract_text())


@functools.cache
def _registry() -> Registry:
    return Registry().with_resource(CONTRACT_URI, Resource.from_contents(contract(), default_specification=DRAFT202012))


def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{CONTRACT_URI}#{pointer}"}, registry=_registry(), format_checker=FormatChecker())


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


@dataclass
class Parameter:
    name: str
    where: str
    required: bool
    schema: dict[str, Any]
    validator: Draft202012Validator


@dataclass
class Operation:
    """One (method, path) of the contract with its validators."""

    operation_id: str
    method: str
    path: str
    signed: bool
    parameters: list[Parameter] = field(default_factory=list)
    body_media: tuple[str, ...] = ()
    body_validator: Draft202012Validator | None = None

    def coerce_params(self, path: dict[str, str], query: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
        """Typed parameter values by name; raises ApiError(400) on the first bad one."""
        sources = {"path": path, "query": query, "header": headers}
        values: dict[str, Any] = {}
        for param in self.parameters:
            source = sources[param.where]
            raw = source.get(param.name.lower() if param.where == "header" else param.name)
            if raw is None:
                if param.required:
                    raise ApiError(400, "PARAM_MISSING", f"缺少参数 {param.name}", param.name)
                continue
            value = _coerce(raw, param.schema, param.name)
            error = next(iter(param.validator.iter_errors(value)), None)
            if error is not None:
                raise ApiError(404 if param.where == "path" else 400, "PARAM_INVALID",
                               f"参数 {param.name} {_MESSAGES.get(str(error.validator), '不符合接口契约')}", param.name)
            values[param.name] = value
        return values

    def validate_body(self, body: Any) -> None:
        if self.body_validator is None:
            return
        errors = sorted(self.body_validator.iter_errors(body), key=lambda e: (len(e.absolute_path), str(e.validator)))
        if errors:
            raise schema_error(errors[0], body)


def _coerce(raw: str, schema: dict[str, Any], name: str) -> Any:
    kind = schema.get("type")
    if "$ref" in schema:
        return raw
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
            return value
    except ValueError:
        raise ApiError(400, "PARAM_INVALID", f"参数 {name} 应为数字", name) from None
    return raw


def schema_error(error: ValidationError, instance: Any) -> ApiError:
    """Turn the first jsonschema error into a 422 that names the field."""
    path = [str(p) for p in error.absolute_path]
    validator = str(error.validator)
    # jsonschema types these as unions with its Unset sentinel / a bool schema; for a real error they are the keyword's value and a dict
    validator_value: Any = error.validator_value
    schema: Any = error.schema
    if validator == "required" and isinstance(error.instance, dict):
        missing = [r for r in validator_value if r not in error.instance]
        if missing:
            path.append(missing[0])
    elif validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        if extra:
            path.append(str(extra[0]))
    field_name = ".".join(path) or None
    message = _MESSAGES.get(validator, "不符合接口契约")
    return ApiError(422, "FIELD_INVALID" if validator != "required" else "FIELD_REQUIRED", f"{field_name or '请求体'}：{message}", field_name)


@functools.cache
def operations() -> tuple[Operation, ...]:
    doc = contract()
    default_signed = bool(doc.get("security"))
    result = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            base = f"/paths/{_escape(path)}/{method}"
            params = []
            for index, param in enumerate(op.get("parameters", [])):
                params.append(Parameter(param["name"], param["in"], bool(param.get("required")), param["schema"],
                                        _validator(f"{base}/parameters/{index}/schema")))
            media: tuple[str, ...] = ()
            body_validator = None
            if "requestBody" in op:
                content = op["requestBody"]["content"]
                media = tuple(content)
                if "application/json" in content:
                    body_validator = _validator(f"{base}/requestBody/content/application~1json/schema")
            signed = default_signed if "security" not in op else bool(op["security"])
            result.append(Operation(op["operationId"], method.upper(), path, signed, params, media, body_validator))
    return tuple(result)
