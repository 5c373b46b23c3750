"""Personal data in exports: find birth-date, phone and ID-number columns; mask or drop them.

Datasets may carry such columns beyond the data contract (联系电话, 身份证号: extra columns are
kept by the user and ignored by the solver). Anything the tool writes for sharing — a ledger
export, an anonymised dataset — passes through here, so one list of header spellings decides
what counts as personal.
"""

from __future__ import annotations

import re

import pandas as pd

from optimizer.data import schema as s

PERSONAL: dict[str, tuple[str, ...]] = {
    "birth_date": (
        "birth_date",
        "birthdate",
        "birthday",
        "date_of_birth",
        "dob",
        "出生年月",
        "出生日期",
        "出生年月日",
        "生日",
    ),
    "phone": (
        "phone",
        "mobile",
        "tel",
        "telephone",
        "phone_number",
        "mobile_phone",
        "电话",
        "手机",
        "手机号",
        "手机号码",
        "联系电话",
        "联系方式",
        "电话号码",
    ),
    "id_number": (
        "id_number",
        "id_no",
        "id_card",
        "idcard",
        "identity_number",
        "身份证",
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "证件号码",
    ),
}
assert s.CADRES.column("birth_date").zh in PERSONAL["birth_date"]
_KIND = {name.lower(): kind for kind, names in PERSONAL.items() for name in names}
REDACT_MODES = ("mask", "drop")


def personal_kind(header: str) -> str | None:
    """``birth_date``, ``phone`` or ``id_number`` when a column header names personal data."""
    return _KIND.get(str(header).strip().lower())


def mask_birth_date(text: str) -> str:
    """Keep the year only (``1975-03-08`` → ``1975``): enough for age bands, not for identity."""
    m = re.match(r"\s*(\d{4})", text or "")
    return m.group(1) if m else ("*" if text else "")


def mask_phone(text: str) -> str:
    """Keep the first 3 and last 4 digits (``138****5678``), the usual Chinese practice."""
    digits = re.sub(r"\D", "", text or "")
    if not digits:
        return ""
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id_number(text: str) -> str:
    """Keep the 6-digit region prefix and the last 4 characters (``430102********123X``)."""
    t = re.sub(r"\s", "", text or "")
    if not t:
        return ""
    if len(t) <= 10:
        return "*" * len(t)
    return t[:6] + "*" * (len(t) - 10) + t[-4:]


MASKS = {"birth_date": mask_birth_date, "phone": mask_phone, "id_number": mask_id_number}


def redact_frame(frame: pd.DataFrame, mode: str = "mask") -> pd.DataFrame:
    """A copy with every personal column masked (``mask``) or removed (``drop``)."""
    if mode not in REDACT_MODES:
        raise ValueError(f"redact mode {mode!r}; expected one of {', '.join(REDACT_MODES)}")
    out = frame.copy()
    for col in list(out.columns):
        kind = personal_kind(col)
        if kind is None:
            continue
        if mode == "drop":
            out = out.drop(columns=col)
        else:
            out[col] = [MASKS[kind]("" if pd.isna(v) else str(v)) for v in out[col]]
    return out
