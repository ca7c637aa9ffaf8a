"""Checks a frame the service sent against the published XFS4IoT shapes (schema/NOTICE.md).

The header against ``header.json`` (the current header); the payload against the 2021-1 JSON schema's
payload for the same message type and name. Our messages carry the newer versions (2.0/3.0) whose
payloads keep the 2021-1 members, so the 2021-1 dispatch is looked up by type and name only. A
message the 2021-1 schema has no shape for is refused: everything we send has a published shape.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

HERE = Path(__file__).with_name("schema")
SUBSET_ID = "https://xfs4iot.com/2021-01/schema"


@cache
def _subset() -> dict[str, Any]:
    return json.loads((HERE / "xfs4iot-2021-1-subset.json").read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    return Registry().with_resource(SUBSET_ID, Resource.from_contents(_subset())).crawl()


@cache
def _header_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((HERE / "header.json").read_text(encoding="utf-8")))


def payload_ref(kind: str, name: str) -> str:
    for entry in _subset()["allOf"]:
        header = entry["if"]["properties"]["header"]["properties"]
        if header["type"]["const"] == kind and header.get("name", {}).get("const") in (None, name):
            return str(entry["then"]["properties"]["payload"]["$ref"])
    raise AssertionError(f"the published 2021-1 schema has no {kind} {name}")


@cache
def _payload_validator(kind: str, name: str) -> Draft202012Validator:
    ref = payload_ref(kind, name)
    return Draft202012Validator({"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://xfs4iot.com/check",
                                 "$ref": ref}, registry=_registry())


def problems(message: dict[str, Any]) -> list[str]:
    """Every way ``message`` breaks the published shapes ([] = none)."""
    found = [f"header: {e.message}" for e in _header_validator().iter_errors(message)]
    header = message.get("header", {})
    kind, name = header.get("type"), header.get("name")
    if kind == "acknowledge":
        return found  # the newer acknowledge has no payload; its status lives in the header
    try:
        validator = _payload_validator(str(kind), str(name))
    except AssertionError as exc:
        return [*found, str(exc)]
    return [*found, *(f"payload {list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(message.get("payload", {})))]


def check(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` if it has the published shape; else an AssertionError listing why."""
    found = problems(message)
    assert not found, f"{message['header'].get('name')} {message['header'].get('type')}: {found}"
    return message
