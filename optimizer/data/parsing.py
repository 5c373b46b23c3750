"""Cell parsers: turn what a planner typed into clean values, or say what was expected."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from optimizer.data.schema import FALSE_WORDS, TRUE_WORDS, Vocab
from optimizer.plans.formulas import unescape_text


class BadValue(ValueError):
    """A cell that does not parse; the message says what was expected."""


DATE_HELP = "a date like 2021-05-01, 2021/5/1, 2021.05, 2021-05, 202105, 2021年5月 or 2021年5月1日"

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})()$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?$"),
]


def cell_text(value: object) -> str:
    """Normalise a raw cell (CSV string or Excel value) to trimmed text; '' when empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not text.isascii() and INVISIBLE.search(text):
        text = INVISIBLE.sub("", text).strip()
    # a leading ' that zhucun (or a careful user) put before = + - @ to keep a spreadsheet
    # from running the text as a formula is not part of the value (ledger export → history)
    return unescape_text(text)


INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
"""Zero-width characters and stray BOMs pasted into cells: invisible, yet they make 'C1'
unknown."""


EXCEL_ERRORS = frozenset(
    ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")
)
_SCI = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


def check_cell(text: str, kind: str) -> None:
    """Refuse what no column may hold: an Excel error value (a formula that failed), and a
    code Excel turned into scientific notation (digits may be lost)."""
    if text[:1] == "#" and text.upper() in EXCEL_ERRORS:
        raise BadValue("an Excel error value (a formula failed): fix the formula or type the value")
    if kind == "id" and ("E" in text or "e" in text) and _SCI.match(text):
        raise BadValue(
            "a code in scientific notation: Excel turned it into a number and may have cut "
            "digits; format the column as text (文本) and enter the codes again"
        )


def parse_date(text: str) -> date:
    """Any of SPEC §5's date forms; a month without a day is the first of that month.

    A bare 5-digit number is refused, not read as an Excel date serial: in a CSV or a number
    cell, '19907' is far more often July 1990 typed short than day 19,907 since 1899 (a real
    Excel date cell arrives as a date, not a number)."""
    s = text.strip().replace(" ", "") if "年" in text else text.strip()
    if s.isdigit() and len(s) == 5:
        raise BadValue(
            "ambiguous 5-digit number: for July 1990 write 199007 or 1990-07; if it is an Excel "
            "date serial, format the cells as dates in Excel"
        )
    if s.isdigit() and len(s) == 4:
        raise BadValue(f"a year alone: add the month, e.g. {s}-07 or {s}07")
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if m:
            y, mo, dd = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
            try:
                return date(y, mo, dd)
            except ValueError:
                break
    raise BadValue(f"expected {DATE_HELP}")


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    raise BadValue("expected yes/no: true/false, 1/0, 是/否")


def parse_int(text: str) -> int:
    t = text.replace(",", "").strip()
    try:
        f = float(t)
    except ValueError:
        raise BadValue("expected a whole number") from None
    if not f.is_integer():
        raise BadValue("expected a whole number")
    return int(f)


def parse_float(text: str) -> float:
    try:
        f = float(text.replace(",", "").strip())
    except ValueError:
        raise BadValue("expected a number") from None
    if math.isnan(f) or math.isinf(f):
        raise BadValue("expected a number")
    return f


def parse_enum(text: str, vocab: Vocab) -> str:
    code = vocab.lookup(text)
    if code is None:
        raise BadValue(f"expected one of {vocab.describe()}")
    return code


_SEP = re.compile(r"[;；,，、]")


def parse_set(text: str, vocab: Vocab) -> frozenset[str]:
    """';'-separated codes (Chinese separators accepted too)."""
    out: set[str] = set()
    bad: list[str] = []
    for part in _SEP.split(text):
        part = part.strip()
        if not part:
            continue
        code = vocab.lookup(part)
        if code is None:
            bad.append(part)
        else:
            out.add(code)
    if bad:
        raise BadValue(
            f"unknown {vocab.name} {', '.join(bad)}; expected ';'-separated {vocab.describe()}"
        )
    return frozenset(out)
