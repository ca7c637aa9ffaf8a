"""A minimal IPP/1.1 client: just enough to read printer and job state from a CUPS server.

Why not pycups: it needs libcups headers to build, and ``lpstat`` cannot tell an aborted job from a
completed one. Get-Printer-Attributes and Get-Job-Attributes are unauthenticated in CUPS' default
policy, so a plain HTTP POST of an ``application/ipp`` body (RFC 8010) is all the driver needs.
"""

from __future__ import annotations

import http.client
import struct
from dataclasses import dataclass
from typing import Any

OP_GET_JOB_ATTRIBUTES = 0x0009
OP_GET_PRINTER_ATTRIBUTES = 0x000B

_TAG_OPERATION = 0x01
_TAG_END = 0x03
_INTEGER_TAGS = {0x21, 0x23}  # integer, enum
_BOOLEAN_TAG = 0x22
_STRING_TAGS = {0x30, 0x35, 0x36, 0x41, 0x42, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49}

#: RFC 8011 job-state and printer-state enums.
JOB_STATES = {3: "pending", 4: "pending-held", 5: "processing", 6: "processing-stopped", 7: "canceled", 8: "aborted", 9: "completed"}
PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}


class IppError(Exception):
    """The server did not answer, or answered with an IPP error status."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _attr(tag: int, name: str, value: bytes) -> bytes:
    raw_name = name.encode()
    return struct.pack(">BH", tag, len(raw_name)) + raw_name + struct.pack(">H", len(value)) + value


def encode_request(operation: int, request_id: int, uri_attr: str, uri: str, extra: list[tuple[int, str, bytes]], requested: list[str]) -> bytes:
    """Build one IPP request with the mandatory charset/language and the target URI."""
    body = struct.pack(">BBHI", 1, 1, operation, request_id) + bytes([_TAG_OPERATION])
    body += _attr(0x47, "attributes-charset", b"utf-8")
    body += _attr(0x48, "attributes-natural-language", b"en")
    body += _attr(0x45, uri_attr, uri.encode())
    for tag, name, value in extra:
        body += _attr(tag, name, value)
    for index, keyword in enumerate(requested):
        body += _attr(0x44, "requested-attributes" if index == 0 else "", keyword.encode())
    return body + bytes([_TAG_END])


def decode_response(data: bytes) -> tuple[int, dict[str, list[Any]]]:
    """Return ``(status_code, attributes)``; every attribute keeps all its values in a list."""
    if len(data) < 9:
        raise IppError(f"short IPP response ({len(data)} bytes)")
    status = struct.unpack(">H", data[2:4])[0]
    attrs: dict[str, list[Any]] = {}
    pos, last = 8, ""
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag == _TAG_END:
            break
        if tag < 0x10:  # a new attribute group
            continue
        name_len = struct.unpack(">H", data[pos : pos + 2])[0]
        name = data[pos + 2 : pos + 2 + name_len].decode("utf-8", "replace")
        pos += 2 + name_len
        value_len = struct.unpack(">H", data[pos : pos + 2])[0]
        raw = data[pos + 2 : pos + 2 + value_len]
        pos += 2 + value_len
        if tag in _INTEGER_TAGS and value_len == 4:
            value: Any = struct.unpack(">i", raw)[0]
        elif tag == _BOOLEAN_TAG:
            value = bool(raw[0]) if raw else False
        elif tag in _STRING_TAGS:
            value = raw.decode("utf-8", "replace")
        else:
            value = raw
        if name:
            last = name
            attrs[name] = [value]
        elif last:
            attrs[last].append(value)
    return status, attrs


@dataclass(frozen=True)
class IppClient:
    """Talks to one CUPS server at ``host:port`` (plain HTTP, as CUPS does on localhost)."""

    host: str = "localhost"
    port: int = 631
    timeout_s: float = 3.0

    def _post(self, path: str, body: bytes) -> dict[str, list[Any]]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        try:
            conn.request("POST", path, body, {"Content-Type": "application/ipp"})
            response = conn.getresponse()
            data = response.read()
        except OSError as exc:
            raise IppError(f"CUPS server {self.host}:{self.port} unreachable: {exc}") from None
        finally:
            conn.close()
        if response.status != 200:
            raise IppError(f"HTTP {response.status} from {self.host}:{self.port}{path}")
        status, attrs = decode_response(data)
        if status >= 0x0400:
            message = (attrs.get("status-message") or [""])[0]
            raise IppError(f"IPP status 0x{status:04x} {message}".strip(), status)
        return attrs

    def printer_attributes(self, queue: str) -> dict[str, list[Any]]:
        uri = f"ipp://{self.host}:{self.port}/printers/{queue}"
        wanted = ["printer-state", "printer-state-reasons", "printer-state-message", "printer-is-accepting-jobs", "printer-name"]
        return self._post(f"/printers/{queue}", encode_request(OP_GET_PRINTER_ATTRIBUTES, 1, "printer-uri", uri, [], wanted))

    def job_attributes(self, job_id: int) -> dict[str, list[Any]]:
        uri = f"ipp://{self.host}:{self.port}/jobs/{job_id}"
        wanted = ["job-state", "job-state-reasons", "job-printer-state-message", "job-media-sheets-completed", "job-impressions-completed"]
        return self._post("/jobs", encode_request(OP_GET_JOB_ATTRIBUTES, 2, "job-uri", uri, [], wanted))
