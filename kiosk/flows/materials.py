"""The materials step: 电子证照 first (免提交), else scanner / 高拍仪 / photo, then local review points.

Why review locally: mechanical points (page count, legibility, expiry of a licence, required fields
of a terminal-generated form) can be checked before the citizen leaves, so nobody is sent home for
a blurred scan; every rejection names its basis (否定必有依据). ``manual`` points go to the office.
Captured pages are written into the session's private dir and referenced by path; the session wipe
removes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.flows.viewmodels import MaterialVM, Option
from kiosk.items.licences import PLATFORM_LICENSE_TYPES
from kiosk.items.model import Item, Material, ReviewPoint
from kiosk.items.vocab import CAPTURE_SOURCES
from kiosk.terminal.media import CapturedPage

log = logging.getLogger(__name__)

#: catalog 电子证照 types → the platform licence library's type codes (complete, checked against the contract).
LICENSE_TYPES = PLATFORM_LICENSE_TYPES
SOURCE_FOR_PLATFORM = {"scanner": "scan", "doccam": "doccam", "photo": "photo", "generated": "scan", "elicense": "license"}


@dataclass
class Provided:
    """One material's state in the session (checkpointed; ``files`` are session temp paths)."""

    status: str = "pending"  # pending | elicense | captured | rejected | optional
    source: str = ""
    license_id: str = ""
    files: list[str] = field(default_factory=list)
    media_type: str = "image/jpeg"
    rejection: str = ""
    basis: str = ""
    failed_check: str = ""  # min_pages: the next capture adds pages instead of replacing them

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def sharpness(jpeg: bytes) -> float:
    """0..1 legibility score: variance of the Laplacian on a reduced grey image, squashed.

    OpenCV is imported here, not at module level: the UI process imports this module with the flow engine,
    and cv2 + numpy are ~30 MiB of RSS a terminal that never captures a page should not hold."""
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_4)
    if image is None:
        return 0.0
    variance = float(cv2.Laplacian(image, cv2.CV_64F).var())
    return variance / (variance + 50.0)


def review(item: Item, material: Material, pages: list[CapturedPage] | None, license: Mapping[str, Any] | None,
           total_pages: int | None = None) -> tuple[str, str, str] | None:
    """The first failed mechanical review point as (message, cited basis, check kind); None if all pass."""
    for point in material.review_points:
        if not point.mechanical:
            continue
        if not _passes(point, pages, license, len(pages or ()) if total_pages is None else total_pages):
            basis = item.basis_by_id(point.rejection.basis_ref).cite(point.rejection.clause)
            return point.rejection.message, basis, point.check.kind
    return None


def _passes(point: ReviewPoint, pages: list[CapturedPage] | None, license: Mapping[str, Any] | None, count: int) -> bool:
    kind, value = point.check.kind, point.check.value
    if license is not None:
        if kind == "not_expired":
            until = license.get("valid_until")
            return not until or until >= dt.date.today().isoformat()
        return True  # an 电子证照 is complete and legible by construction
    pages = pages or []
    if kind == "min_pages":
        return count >= int(value or 1)
    if kind == "max_pages":
        return count <= int(value or 1)
    if kind == "sharpness":
        return all(p.mime != "image/jpeg" or sharpness(p.data) >= float(value or 0) for p in pages)
    if kind == "min_dpi":
        return all(p.dpi >= int(value or 0) for p in pages)
    return True  # color, expiry of paper, required fields on a scan: the office checks these (no OCR here)


def satisfied_by_chip(material: Material, identity_kind: str | None) -> bool:
    """The ID card just read from the chip (and face-matched) is the applicant's ID material: no scan of both sides."""
    return material.elicense == "resident_id_card" and material.holder == "applicant" and identity_kind == "idcard_face"


def sources_for(material: Material, elicense_available: bool) -> tuple[Option, ...]:
    out = []
    for source in material.capture:
        if source == "elicense" and not elicense_available:
            continue
        out.append(Option(source, CAPTURE_SOURCES.get(source, source)))
    return tuple(out)


def material_vm(material: Material, provided: Provided, elicense_available: bool, needed: bool) -> MaterialVM:
    status = provided.status if provided.status != "pending" or needed else "optional"
    return MaterialVM(material.id, material.name, status, sources_for(material, elicense_available),  # type: ignore[arg-type]
                      material.originals, material.copies, material.elicense_label or "", len(provided.files),
                      provided.rejection, provided.basis, material.description or "")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
