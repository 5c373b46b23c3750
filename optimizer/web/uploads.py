"""Turning an upload into a dataset folder: a workbook kept as is, CSV files (loose or in a
zip) kept by their bare names. Nothing uploaded is ever run; names never become paths."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from fastapi import HTTPException

from optimizer.web.security import private_dir, private_write

CSV_NAME = re.compile(r"^[\w\u4e00-\u9fff() -]{1,60}\.csv$", re.IGNORECASE)
MAX_FILES = 20


@dataclass
class Upload:
    kind: str
    """``xlsx`` or ``csv``."""
    files: dict[str, bytes]


def classify(items: list[tuple[str, bytes]], limit: int) -> Upload:
    """One workbook, one zip of CSV files, or several CSV files; anything else is refused."""
    if len(items) == 1 and items[0][0].lower().endswith(".xlsx"):
        data = items[0][1]
        if not data.startswith(b"PK"):
            raise HTTPException(
                400, "这不是有效的 .xlsx 工作簿，请在 Excel 中另存为 .xlsx 后再上传"
            )
        return Upload("xlsx", {"data.xlsx": data})
    if len(items) == 1 and items[0][0].lower().endswith(".zip"):
        return Upload("csv", unzip_csv(items[0][1], limit))
    if items and all(n.lower().endswith(".csv") for n, _ in items):
        return Upload("csv", {safe_csv_name(n): d for n, d in items})
    raise HTTPException(
        400,
        "请上传一个 .xlsx 工作簿、一个装有 CSV 文件的 .zip，或若干 .csv 文件"
        "（.xls 旧格式请先另存为 .xlsx）",
    )


def safe_csv_name(name: str) -> str:
    """The bare file name (folders in a zip dropped); refused if it could be anything but a
    plain CSV name."""
    base = PurePosixPath(name.replace("\\", "/")).name
    if not CSV_NAME.match(base) or base.startswith("."):
        raise HTTPException(400, "文件名不合适：请使用 units.csv、单位.csv 这样的表名")
    return base


def unzip_csv(data: bytes, limit: int) -> dict[str, bytes]:
    """The CSV files in a zip, each read with a cap so a zip bomb stops at ``limit`` bytes."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise HTTPException(400, "这不是有效的 .zip 文件") from None
    out: dict[str, bytes] = {}
    total = 0
    for info in book.infolist():
        name = info.filename
        if info.is_dir() or "__MACOSX" in name or not name.lower().endswith(".csv"):
            continue
        base = safe_csv_name(name)
        if base in out:
            raise HTTPException(400, "压缩包里有两个同名的 CSV 文件，请只保留一个")
        if len(out) >= MAX_FILES:
            raise HTTPException(400, f"压缩包里的 CSV 文件太多（最多 {MAX_FILES} 个）")
        with book.open(info) as fh:
            content = fh.read(limit - total + 1)
        total += len(content)
        if total > limit:
            raise HTTPException(413, "压缩包解压后太大")
        out[base] = content
    if not out:
        raise HTTPException(400, "压缩包里没有 .csv 文件")
    return out


def store_upload(upload: Upload, folder) -> None:
    """Write the upload's files, 0600, under the dataset's own folder."""
    target = folder if upload.kind == "xlsx" else private_dir(folder / "csv")
    for name, data in upload.files.items():
        private_write(target / name, data)
