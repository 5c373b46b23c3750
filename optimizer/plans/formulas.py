"""Text a spreadsheet would run as a formula (``= + - @``, tab, CR first) is written as text:
``'``-prefixed in CSV (:func:`escape_frame`, read back by :func:`unescape_frame`), a string
cell in every workbook (:func:`defuse_formulas`). The CSV files of a plan folder are written
and read back here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.data.errors import Problem

RISKY = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat text as a formula."""


def escape_text(value: Any) -> Any:
    """``'`` before text a spreadsheet would run as a formula (and before a leading ``'``,
    so :func:`unescape_text` gives back exactly what was written)."""
    if isinstance(value, str) and value and (value[0] in RISKY or value[0] == "'"):
        return "'" + value
    return value


def unescape_text(value: Any) -> Any:
    """The value :func:`escape_text` was given."""
    escaped = isinstance(value, str) and len(value) > 1 and value[0] == "'"
    return value[1:] if escaped and (value[1] in RISKY or value[1] == "'") else value


def _texty(dtype: Any) -> bool:
    """Object or string dtype: the columns that may hold text (numbers stay as they are)."""
    return getattr(dtype, "kind", "O") not in "biufcmM"


def _map_labels(index: pd.Index, fn: Callable[[Any], Any]) -> pd.Index:
    return index.map(fn) if _texty(index.dtype) else index


def _escape_column(col: pd.Series) -> pd.Series:
    try:  # vectorised: most columns hold no risky text at all
        risky = col.str[:1].isin([*RISKY, "'"])
    except AttributeError:  # an object column without text
        return col
    if not risky.any():
        return col
    return col.mask(risky, "'" + col[risky].astype(str))


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text value, index label and header escaped (numbers as they are)."""
    out = frame.copy()
    for i in range(out.shape[1]):
        if _texty(out.dtypes.iloc[i]):
            out.isetitem(i, _escape_column(out.iloc[:, i]))
    out.index = _map_labels(out.index, escape_text)
    out.columns = _map_labels(out.columns, escape_text)
    return out


def unescape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A CSV we wrote, read back as strings, with the values :func:`escape_frame` was given."""
    for i in range(frame.shape[1]):
        if _texty(frame.dtypes.iloc[i]):
            frame.isetitem(i, frame.iloc[:, i].map(unescape_text))
    return frame


def write_csv(frame: pd.DataFrame, path: str | Path, index: bool = False) -> None:
    """A CSV file with formula-like text escaped, ``\\n`` line ends, in UTF-8 with a byte-order
    mark: without it Chinese Excel reads UTF-8 as GBK and shows every name garbled."""
    escape_frame(frame).to_csv(path, index=index, encoding="utf-8-sig", lineterminator="\n")


def defuse_formulas(book: Any) -> Any:
    """Make every formula cell of an openpyxl workbook a text cell (openpyxl makes text
    beginning with ``=`` a formula); we never write formulas on purpose. Returns ``book``."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return book


def read_output_csv(path: Path, required: list[str], problems: list) -> pd.DataFrame | None:
    """One CSV of a plan folder (SPEC §6) as strings, as written before escaping; a missing
    file or column is a problem."""
    if not path.is_file():
        problems.append(
            Problem(
                path.name,
                f"missing file: expected {path} (a zhucun plan folder: docs/使用说明.md, 输出文件)",
            )
        )
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame = unescape_frame(frame)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        problems.append(Problem(path.name, f"is not a readable UTF-8 CSV file ({exc})"))
        return None
    missing = [c for c in required if c not in frame.columns]
    for c in missing:
        problems.append(Problem(path.name, f"missing required column {c}", row=1, column=c))
    return None if missing else frame


__all__ = [
    "RISKY",
    "defuse_formulas",
    "escape_frame",
    "escape_text",
    "read_output_csv",
    "unescape_frame",
    "unescape_text",
    "write_csv",
]
