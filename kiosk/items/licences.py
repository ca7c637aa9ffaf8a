"""Catalog 电子证照 types → the platform licence library's type codes, checked against the contract.

Why a table checked against ``openapi.json``: a material that names a licence type the platform
cannot return would show "免提交" and then never be fetchable (47 of 66 such materials were dead
before this table). The validator rejects a material whose type has no platform code here, or
whose code the contract's ``LicenseTypeCode`` enum does not list.
"""

from __future__ import annotations

import functools

from kiosk.items.vocab import ELICENSE_TYPES
from kiosk.platform.contract import contract

#: vocab type → platform ``type_code`` (listLicenses ?type_code=, LicenseSummary.type_code).
PLATFORM_LICENSE_TYPES: dict[str, str] = {
    "resident_id_card": "id_card",
    "household_register": "hukou",
    "marriage_certificate": "marriage",
    "divorce_certificate": "divorce",
    "birth_medical_certificate": "birth_cert",
    "social_security_card": "sscard",
    "residence_permit": "residence_permit",
    "business_license": "business_licence",
    "real_estate_certificate": "real_estate",
    "graduation_certificate": "graduation",
    "disability_certificate": "disability",
    "employment_certificate": "employment_card",
    "subsistence_allowance_certificate": "dibao",
    "veteran_discharge_certificate": "veteran_discharge",
    "medical_insurance_voucher": "medical_insurance",
    "hk_macao_permit": "hk_macao_permit",
}


@functools.cache
def contract_license_codes() -> frozenset[str]:
    """Type codes the platform contract says it can return (components.schemas.LicenseTypeCode)."""
    schema = contract().get("components", {}).get("schemas", {}).get("LicenseTypeCode", {})
    return frozenset(schema.get("enum", ()))


def fetchable(elicense: str) -> bool:
    """True if the platform can return a licence of this catalog type."""
    code = PLATFORM_LICENSE_TYPES.get(elicense)
    return code is not None and code in contract_license_codes()


def unmapped() -> tuple[str, ...]:
    """Vocabulary types that cannot be fetched (empty when the mapping is complete)."""
    return tuple(t for t in ELICENSE_TYPES if not fetchable(t))
