"""Closed vocabularies shared by the item schema, the semantic checks and the flow engine.

Why a Python module and not only enums in the JSON Schema: the flow engine needs the same lists
(labels for screens, known prefill sources for the form step), and the semantic checker needs
them for references the schema cannot resolve. ``item.schema.json`` repeats the enums; a test
keeps both in step.
"""

from __future__ import annotations

SCHEMA_VERSION = "1.0"

HANDLING_MODES: dict[str, str] = {
    "online": "全程网办",
    "proxy_remote": "异地代收代办",
    "multi_site": "多地联办",
    "on_site": "就地批办",
    "self_service": "自助通办",
}

CATEGORIES: dict[str, str] = {
    "education": "教育",
    "medical": "医疗",
    "employment": "就业",
    "social_insurance": "社会保险",
    "elderly": "养老",
    "housing": "住房",
    "marriage_birth": "婚育",
    "travel": "出行",
    "market_entry": "市场准入与投资",
    "household": "户籍与证明",
    "construction": "投资建设",
}

IDENTITY_METHODS: dict[str, str] = {
    "idcard_face": "二代身份证 + 人脸核验",
    "ykm": "渝快码",
    "sscard": "社会保障卡",
    "agent": "代办（代理人身份核验 + 委托书）",
}

CAPTURE_SOURCES: dict[str, str] = {
    "elicense": "电子证照（免提交）",
    "scanner": "扫描仪",
    "doccam": "高拍仪",
    "photo": "拍照",
    "generated": "终端按表单生成",
}

DELIVERY_METHODS: dict[str, str] = {
    "pickup": "窗口自取",
    "post": "邮寄",
    "electronic": "电子证照/电子文书",
    "print_on_site": "终端当场打印",
}

FIELD_TYPES = (
    "text", "textarea", "id_number", "phone", "date", "address", "district", "select",
    "multiselect", "number", "money", "email", "bank_account", "checkbox",
)

# 电子证照 types the terminal can fetch from the platform's licence library.
ELICENSE_TYPES: dict[str, str] = {
    "resident_id_card": "居民身份证",
    "household_register": "居民户口簿",
    "marriage_certificate": "结婚证",
    "divorce_certificate": "离婚证",
    "birth_medical_certificate": "出生医学证明",
    "social_security_card": "社会保障卡",
    "residence_permit": "居住证",
    "business_license": "营业执照",
    "real_estate_certificate": "不动产权证书",
    "graduation_certificate": "毕业证书",
    "disability_certificate": "残疾人证",
    "employment_certificate": "就业创业证",
    "subsistence_allowance_certificate": "低保证",
    "veteran_discharge_certificate": "退出现役证",
    "medical_insurance_voucher": "医保电子凭证",
    "hk_macao_permit": "往来港澳通行证",
}

# Prefill sources: "<origin>.<key>". idcard.* mirrors kiosk.terminal.media.IdCardData, sscard.*
# mirrors SocialSecurityCard; shared.* is data the citizen already gave in this session (or the
# platform already holds); platform.* is looked up from the platform for the identified person.
PREFILL_SOURCES: frozenset[str] = frozenset(
    [f"idcard.{k}" for k in ("name", "sex", "nation", "birth_date", "address", "id_number",
                              "issuer", "valid_from", "valid_to")]
    + [f"sscard.{k}" for k in ("card_number", "social_security_number", "name", "region_code")]
    + [f"ykm.{k}" for k in ("name", "id_number", "phone")]
    + [f"agent.{k}" for k in ("name", "id_number", "phone", "relation")]
    + [f"shared.{k}" for k in ("phone", "address", "postal_address", "residence_address",
                               "household_district", "residence_district", "email",
                               "marital_status", "work_unit", "spouse_name", "spouse_id_number",
                               "child_name", "child_birth_date", "child_sex", "bank_account",
                               "bank_name")]
    + [f"platform.{k}" for k in ("insured_district", "insurance_status", "household_address",
                                 "fund_account", "employer", "contribution_years",
                                 "residence_registration_date")]
    + ["terminal.district", "session.today"]
)

REVIEW_CHECKS = (
    "min_pages", "max_pages", "sharpness", "min_dpi", "color", "required_fields",
    "not_expired", "manual",
)

ACCEPTANCE_SCOPES = ("any_district", "restricted")
DISTRICT_RULES = (
    "household", "residence", "insured", "property", "business_premises", "workplace",
    "receiving", "city",
)
TONGBAN = ("quanyu", "chuanyu", "kuasheng")
