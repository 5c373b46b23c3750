"""Writing a generated dataset as CSV files, never leaving half a dataset behind and never
overwriting one."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from optimizer.data.errors import InputError, Problem


def write_dataset(tables: dict[str, pd.DataFrame], out_dir: Path) -> None:
    """Write ``<table>.csv`` per table (UTF-8, no index) without ever leaving half a dataset.

    A new folder is written as a temporary sibling and renamed into place. Into an existing
    folder only new files go (each written to a temporary name, then renamed); a table file
    already there is refused (:class:`InputError`), whoever wrote it, and other files are left
    alone.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0o022)
    os.umask(umask)

    def dump(df: pd.DataFrame, path: Path) -> None:
        df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")

    if not out_dir.exists():
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
        try:
            os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private
            for name, df in tables.items():
                dump(df, tmp / f"{name}.csv")
            os.rename(tmp, out_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return
    taken = sorted(f"{name}.csv" for name in tables if (out_dir / f"{name}.csv").exists())
    if taken:  # a user's dataset may stand there: never overwrite it
        raise InputError(
            [
                Problem(
                    str(out_dir),
                    f"already holds {', '.join(taken)}: zhucun "
                    "never overwrites a dataset; choose a new folder",
                )
            ]
        )
    staged: list[tuple[Path, Path]] = []
    try:
        for name, df in tables.items():
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".csv.tmp", dir=out_dir)
            os.close(fd)
            staged.append((Path(tmp_name), out_dir / f"{name}.csv"))
            os.chmod(tmp_name, 0o666 & ~umask)  # mkstemp makes it private
            dump(df, Path(tmp_name))
        for tmp_path, final in staged:
            os.replace(tmp_path, final)
    finally:
        for tmp_path, _ in staged:
            tmp_path.unlink(missing_ok=True)
