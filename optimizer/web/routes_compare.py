"""Step 8: two solves side by side — KPIs, who moves, which villages change, unit load — with
the comparison workbook and the charts to download."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

import optimizer
from optimizer.web.files import XLSX, chart_file, charts, download
from optimizer.web.forms import id_or_404
from optimizer.web.labels import frame_rows, zh_diff
from optimizer.web.pages import render
from optimizer.web.routes_plan import plan_job

router = APIRouter()
DIFF_ROWS = 500
"""Rows shown of a diff table (a province's may run to thousands; the workbook has all)."""
NAMES = ("方案A", "方案B")


def _pair(request: Request, a: str, b: str):
    desk = request.app.state.desk
    ja, jb = plan_job(request, id_or_404(a)), plan_job(request, id_or_404(b))
    if ja.id == jb.id:
        raise HTTPException(400, "请选两次不同的求解来比较")
    folder = desk.store.workdir / "compare" / f"{ja.id}-{jb.id}"
    return desk, ja, jb, folder


def _runs(desk, ja, jb):
    return [
        dataclasses.replace(optimizer.load_run(desk.plan_dir(j)), name=n)
        for j, n in zip((ja, jb), NAMES, strict=True)
    ]


@router.get("/compare")
def compare_page(request: Request, a: str = "", b: str = ""):
    desk = request.app.state.desk
    done = [j for j in desk.store.jobs() if j.has_plan]
    if not (a and b):
        return render(request, "compare.html", jobs=done, cmp=None, a=a, b=b)
    desk, ja, jb, _ = _pair(request, a, b)
    cmp = optimizer.comparison(_runs(desk, ja, jb), "zh")
    units = cmp.units.rename(columns={"unit_name": "派出单位"})
    return render(
        request,
        "compare.html",
        jobs=done,
        a=ja.id,
        b=jb.id,
        ja=ja,
        jb=jb,
        cmp=True,
        kpis=frame_rows(cmp.kpis),
        moves=frame_rows(zh_diff(cmp.moves), DIFF_ROWS),
        villages=frame_rows(zh_diff(cmp.villages), DIFF_ROWS),
        units=frame_rows(units, DIFF_ROWS),
    )


@router.get("/compare/{a}/{b}/compare.xlsx")
def compare_xlsx(request: Request, a: str, b: str) -> FileResponse:
    desk, ja, jb, folder = _pair(request, a, b)
    path = folder / "compare.xlsx"
    if not path.is_file():
        cmp = optimizer.comparison(_runs(desk, ja, jb), "zh")
        optimizer.write_comparison(cmp, desk.store.folder("compare", f"{ja.id}-{jb.id}"))
    return download(path, "方案比较.xlsx", XLSX)


@router.get("/compare/{a}/{b}/charts")
def compare_charts(request: Request, a: str, b: str):
    desk, ja, jb, folder = _pair(request, a, b)
    pairs = [(n, desk.plan_dir(j)) for j, n in zip((ja, jb), NAMES, strict=True)]
    names = charts(pairs, folder / "charts", "compare")
    return render(
        request, "charts.html", job=ja, names=names, base=f"/compare/{ja.id}/{jb.id}/charts"
    )


@router.get("/compare/{a}/{b}/charts/{name}")
def compare_chart(request: Request, a: str, b: str, name: str) -> FileResponse:
    _, _, _, folder = _pair(request, a, b)
    return download(chart_file(folder / "charts", name), name, "image/png")
