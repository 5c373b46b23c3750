"""Downloads and charts: only files the desk wrote, looked up by a fixed name, never a path
from the request."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from urllib.parse import quote

from fastapi import HTTPException
from fastapi.responses import FileResponse

import optimizer
from optimizer.web.security import private_dir

_plot_lock = threading.Lock()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(path: Path, shown_name: str, media_type: str) -> FileResponse:
    """The file as an attachment under a Chinese name (RFC 5987), never shown inline."""
    if not path.is_file():
        raise HTTPException(404, "文件不存在")
    ascii_name = path.name
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(shown_name)}"
    return FileResponse(path, media_type=media_type, headers={"Content-Disposition": disposition})


def charts(named_dirs: list[tuple[str, Path]], out: Path, prefix: str) -> list[str]:
    """PNG charts of these plan folders (made once, then reused): coverage, team sizes,
    travel, unit load and a map each. Matplotlib is not thread-safe: one at a time."""
    done = out / ".done"
    if not done.exists():
        with _plot_lock:
            if not done.exists():
                import matplotlib

                matplotlib.use("Agg")
                import matplotlib.pyplot as plt

                runs = [dataclasses.replace(optimizer.load_run(d), name=n) for n, d in named_dirs]
                private_dir(out)
                try:
                    for path in optimizer.save_plots(runs, out, prefix=prefix, lang="zh"):
                        path.chmod(0o600)
                finally:
                    plt.close("all")
                done.touch(mode=0o600)
    return sorted(p.name for p in out.glob("*.png"))


def chart_file(out: Path, name: str) -> Path:
    """A chart by its exact name among those made; anything else is not found."""
    known = {p.name: p for p in out.glob("*.png")} if out.is_dir() else {}
    if name not in known:
        raise HTTPException(404, "没有这张图")
    return known[name]
