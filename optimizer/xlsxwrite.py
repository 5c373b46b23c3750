"""A small, fast writer of value-only ``.xlsx`` tables (SpreadsheetML written directly).

Why not openpyxl: a province plan workbook holds close to a million cells, which openpyxl
(without lxml) takes about a minute to build and save; written directly it takes seconds.
Why it is safe: every text is written as an inline string (``t="inlineStr"``), never as a
formula, so a dataset value such as ``=HYPERLINK(...)`` is shown as the text it is; only
numbers, dates (as serial numbers with a date format) and text are written.

Each sheet is a table: a header row, frozen; an auto-filter over the table; fitted column
widths; printed landscape, fit to one page wide, header repeated on every page; optional
page breaks before given rows."""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_EPOCH = date(1899, 12, 30)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile(r"[&<>\x00-\x1f\ud800-\udfff\ufffe\uffff]|^\s|\s$")
DATE_STYLE, HEAD_STYLE = 1, 2
DATE_FORMAT = "yyyy-mm-dd"
MAX_CELL = 32_767
"""Characters Excel keeps in one cell."""


@dataclass
class Sheet:
    """One table sheet: ``head`` then ``rows``; ``widths`` per column (characters);
    ``breaks``: 1-based row numbers a printed page starts at."""

    title: str
    head: list[str]
    rows: list[list[Any]]
    widths: list[float]
    breaks: list[int] = field(default_factory=list)


def _text(value: str) -> str:
    if len(value) > MAX_CELL:  # Excel refuses a longer cell (only pathological data gets here)
        value = value[: MAX_CELL - 1] + "…"
    if not _SPECIAL.search(value):
        return f"<is><t>{value}</t></is>"
    value = escape(_ILLEGAL.sub("", value))
    return f'<is><t xml:space="preserve">{value}</t></is>'


def _cell(ref: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DATE_STYLE}"><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, int | float) and value == value and abs(value) != float("inf"):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr">{_text(str(value))}</c>'


def _sheet_xml(sheet: Sheet) -> str:
    letters = [get_column_letter(i + 1) for i in range(max(1, len(sheet.head)))]
    last = f"{letters[-1]}{len(sheet.rows) + 1}"
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
             '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
             f'<dimension ref="A1:{last}"/>'
             '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
             'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
             'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
             '<sheetFormatPr defaultRowHeight="15"/><cols>']  # fmt: skip
    parts += [f'<col min="{i + 1}" max="{i + 1}" width="{w:g}" customWidth="1"/>'
              for i, w in enumerate(sheet.widths)]  # fmt: skip
    parts.append('</cols><sheetData><row r="1">')
    parts += [f'<c r="{c}1" s="{HEAD_STYLE}" t="inlineStr">{_text(h)}</c>'
              for c, h in zip(letters, sheet.head, strict=False)]  # fmt: skip
    parts.append("</row>")
    for n, row in enumerate(sheet.rows, start=2):
        cells = "".join(_cell(f"{c}{n}", v) for c, v in zip(letters, row, strict=False))
        parts.append(f'<row r="{n}">{cells}</row>')
    parts.append(f'</sheetData><autoFilter ref="A1:{last}"/>'
                 '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" '
                 'footer="0.3"/><pageSetup paperSize="9" orientation="landscape" '
                 'fitToWidth="1" fitToHeight="0"/>')  # fmt: skip
    if sheet.breaks:
        brk = "".join(f'<brk id="{b - 1}" max="16383" man="1"/>' for b in sheet.breaks)
        parts.append(f'<rowBreaks count="{len(sheet.breaks)}" '
                     f'manualBreakCount="{len(sheet.breaks)}">{brk}</rowBreaks>')  # fmt: skip
    parts.append("</worksheet>")
    return "".join(parts)


def _quoted(title: str) -> str:
    return "'" + escape(title.replace("'", "''")) + "'"


def _workbook_xml(sheets: list[Sheet]) -> str:
    items = "".join(f'<sheet name="{escape(s.title)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                    for i, s in enumerate(sheets))  # fmt: skip
    names = []
    for i, s in enumerate(sheets):
        last = f"${get_column_letter(max(1, len(s.head)))}${len(s.rows) + 1}"
        names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" '
                     f'hidden="1">{_quoted(s.title)}!$A$1:{last}</definedName>')  # fmt: skip
        names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                     f"{_quoted(s.title)}!$1:$1</definedName>")  # fmt: skip
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{items}</sheets><definedNames>{''.join(names)}</definedNames></workbook>")  # fmt: skip


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
    f'formatCode="{DATE_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _content_types(n: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(n)
    )
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{sheets}</Types>")  # fmt: skip


def _rels(n: int) -> str:
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    items = "".join(f'<Relationship Id="rId{i + 1}" Type="{kind}/worksheet" '
                    f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(n))  # fmt: skip
    items += f'<Relationship Id="rId{n + 1}" Type="{kind}/styles" Target="styles.xml"/>'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_PKG}">{items}</Relationships>')  # fmt: skip


def write_xlsx(sheets: list[Sheet], path: Path) -> None:
    """Write the sheets as a new private (0600) workbook at ``path``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    root = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>')  # fmt: skip
    with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _content_types(len(sheets)))
        z.writestr("_rels/.rels", root)
        z.writestr("xl/workbook.xml", _workbook_xml(sheets))
        z.writestr("xl/_rels/workbook.xml.rels", _rels(len(sheets)))
        z.writestr("xl/styles.xml", _STYLES)
        for i, s in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", _sheet_xml(s))


__all__ = ["DATE_FORMAT", "Sheet", "write_xlsx"]
