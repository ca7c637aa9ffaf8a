"""What devices hand back: identity data, codes, captures and pages.

These are personal data. ``__repr__`` masks them so an accidental log line leaks nothing; the
session owns them and wipes them at its end (``wipe()`` overwrites the byte buffers it can).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from kiosk.privacy import mask_id_number, mask_name


def _wipe_bytes(buffer: bytes | bytearray | None) -> None:
    if isinstance(buffer, bytearray):
        buffer[:] = b"\0" * len(buffer)


@dataclass(frozen=True, repr=False)
class IdCardData:
    """A 二代证 / 港澳台居民居住证 / 外国人永久居留身份证 as read by the SAM.

    ``card_type``: ``resident`` | ``hmt_permit`` | ``foreign_permanent``. Dates are ISO strings;
    ``valid_to`` may be ``长期``. The photo stays raw WLT; ``photo_jpeg`` is set only when a vendor
    decoder is configured, never faked.
    """

    card_type: str
    name: str
    sex: str
    sex_code: str
    nation: str
    nation_code: str
    birth_date: str
    address: str
    id_number: str
    issuer: str
    valid_from: str
    valid_to: str
    pass_number: str = ""
    issue_count: str = ""
    english_name: str = ""
    nationality_code: str = ""
    extra_address: str = ""
    photo_wlt: bytes = b""
    photo_jpeg: bytes | None = None
    fingerprint: bytes = b""

    def to_json_dict(self) -> dict[str, Any]:
        """The technician CLI's JSON view (unmasked, without binary blobs)."""
        out: dict[str, Any] = {
            "card_type": self.card_type,
            "name": self.name,
            "sex": self.sex,
            "sex_code": self.sex_code,
            "nation": self.nation,
            "nation_code": self.nation_code,
            "birth_date": self.birth_date,
            "address": self.address,
            "id_number": self.id_number,
            "issuer": self.issuer,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
        }
        if self.card_type != "resident":
            out["pass_number"] = self.pass_number
            out["issue_count"] = self.issue_count
        if self.english_name:
            out["english_name"] = self.english_name
        if self.nationality_code:
            out["nationality_code"] = self.nationality_code
        out["photo"] = "decoded" if self.photo_jpeg else ("raw_wlt" if self.photo_wlt else "none")
        return out

    def __repr__(self) -> str:
        return f"IdCardData({self.card_type}, {mask_name(self.name)}, {mask_id_number(self.id_number)})"


@dataclass(frozen=True, repr=False)
class SocialSecurityCard:
    """Basic information from a 社保卡 (全国社会保障卡) chip."""

    card_number: str
    social_security_number: str
    name: str
    sex_code: str = ""
    nation_code: str = ""
    birth_date: str = ""
    region_code: str = ""
    card_version: str = ""
    issue_date: str = ""
    valid_to: str = ""
    reader: str = ""

    def to_json_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __repr__(self) -> str:
        return f"SocialSecurityCard({mask_name(self.name)}, {mask_id_number(self.social_security_number)})"


@dataclass(frozen=True, repr=False)
class ScannedCode:
    """An opaque code (渝快码 / 电子身份证 token); the platform verifies it, nothing local trusts it."""

    text: str
    symbology: str = "QRCode"
    source: str = "camera"  # camera | serial

    def __repr__(self) -> str:
        return f"ScannedCode({self.symbology}, {len(self.text)} chars, from {self.source})"


@dataclass(frozen=True, repr=False)
class FaceCapture:
    """A face photo for 人证核验 that passed the quality checks."""

    jpeg: bytes
    width: int
    height: int
    box: tuple[int, int, int, int]  # x, y, w, h of the face in the frame
    quality: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"FaceCapture({self.width}x{self.height}, {len(self.jpeg)} bytes)"


@dataclass(frozen=True, repr=False)
class CapturedPage:
    """One page of material from the scanner or the 高拍仪, encoded for upload."""

    data: bytes
    mime: str  # image/jpeg | image/png | application/pdf
    width: int
    height: int
    dpi: int
    source: str  # scanner | doccam | photo
    detail: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"CapturedPage({self.source}, {self.mime}, {self.width}x{self.height}@{self.dpi}dpi, {len(self.data)} bytes)"


@dataclass(frozen=True)
class PrintJobResult:
    """The outcome of an A4 print job followed to its end."""

    job_id: str
    state: str  # completed | aborted | canceled
    pages: int = 0
