"""Bytes of a CSV file to text: which encoding, which separator.

Decoding never guesses silently: UTF-8 (with or without BOM), UTF-16 (Excel's 'Unicode text')
and GBK are read; Big5 and anything else that would come out as garbled Chinese names is
refused with the fix, because garbled names pass every later check.
"""

from __future__ import annotations

from optimizer.data import schema as s

SAVE_UTF8 = "open it in Excel or WPS and save as 'CSV UTF-8'"


def _garbled(text: str) -> bool:
    """Chinese text decoded with the wrong codec is mostly characters outside GB2312 (the
    common simplified set); real GBK data is almost all inside it."""
    cjk = [c for c in text[:200_000] if ord(c) >= 0x2E80 and not 0x3000 <= ord(c) <= 0x303F]
    cjk = [c for c in cjk if not 0xFF00 <= ord(c) <= 0xFFEF]
    if len(cjk) < 2:
        return False
    common = 0
    for c in cjk:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common < 0.5 * len(cjk)


def _big5(data: bytes) -> bool:
    """Decodes as Big5, and its Chinese is mostly Big5's frequent characters (lead bytes
    A4–C6), which text in other encodings read as Big5 is not."""
    try:
        text = data.decode("big5")
    except UnicodeDecodeError:
        return False
    leads = [c.encode("big5")[0] for c in text if ord(c) >= 0x2E80]
    return len(leads) >= 2 and sum(0xA4 <= b <= 0xC6 for b in leads) >= 0.6 * len(leads)


def decode_text(data: bytes) -> tuple[str | None, str]:  # noqa: C901 - one branch per byte-order mark and encoding tried
    """(text, '') or (None, why not and the fix). UTF-8 (BOM or not), UTF-16 with a BOM
    (Excel's 'Unicode text'), GB18030/GBK; Big5 and other encodings are refused, not garbled."""
    if data.startswith(b"PK\x03\x04"):
        return None, "is an Excel workbook saved under a .csv name: rename it to .xlsx, or " + (
            SAVE_UTF8
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return None, f"is an old Excel .xls workbook under a .csv name: {SAVE_UTF8}"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError:
            return None, f"is damaged UTF-16 text: {SAVE_UTF8}"
    if data.count(b"\x00") > len(data) // 4:  # UTF-16 without its BOM
        odd = data[1::2].count(b"\x00") > data[0::2].count(b"\x00")
        try:
            return data.decode("utf-16-le" if odd else "utf-16-be"), ""
        except UnicodeDecodeError:
            return None, f"is not a text CSV file (binary data): {SAVE_UTF8}"
    if b"\x00" in data:
        return None, f"contains NUL bytes, so it is not a plain text CSV file: {SAVE_UTF8}"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        utf8_line = data[: exc.start].count(b"\n") + 1
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and not _garbled(text):
        return text, ""
    if _big5(data):
        return None, f"looks Big5-encoded (traditional Chinese): {SAVE_UTF8}"
    return None, (
        f"cannot be read as text: not UTF-8 (first bad byte on line {utf8_line}) and not GBK "
        f"either; {SAVE_UTF8}"
    )


_DELIMITERS = (",", ";", "\t", "|", "，")
DELIM_NAMES = {";": "';'", "\t": "tab", "|": "'|'", "，": "'，'"}


def sniff_delimiter(text: str, table: s.Table) -> str:
    """The separator that splits a header line of the first lines into most known column
    names (a ',' inside a Chinese reason does not count); ',' when none does better."""
    lookup = s.column_lookup(table)
    lines = [ln for ln in text.splitlines()[:12] if ln.strip()][:6]

    def names(d: str) -> int:
        return max(
            (
                sum(c.strip().strip('"').strip().lower() in lookup for c in ln.split(d))
                for ln in lines
            ),
            default=0,
        )

    best, best_n = ",", names(",")
    for d in _DELIMITERS[1:]:
        n = names(d)
        if n > best_n:
            best, best_n = d, n
    return best
