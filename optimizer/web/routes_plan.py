"""Step 4 and 8: reading a plan (KPIs, roster, short villages, map, unit load) and its files."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse

from optimizer import InputError
from optimizer.web.files import XLSX, chart_file, charts, download
from optimizer.web.forms import checked_form, text
from optimizer.web.labels import frame_rows
from optimizer.web.pages import render
from optimizer.web.planview import cadre_rows, kpis, plan_rows, sheets, short_rows, village_map
from optimizer.web.routes_solve import get_job

LOAD_ROWS = 300
"""Units shown in the load table (the busiest first as the workbook orders them); the rest
are in plan.xlsx."""
ROLES = ("第一书记", "队员")
STATES = ("posted", "free")

router = APIRouter()


def plan_job(request: Request, job_id: str):
    job = get_job(request, job_id)
    if not job.has_plan:
        raise HTTPException(404, "这次求解没有方案")
    return job


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else 1


def _dataset(desk, job):
    try:
        return desk.load(job.dataset_id, desk.job_date(job))
    except InputError as exc:
        raise HTTPException(400, "数据已无法读取：" + str(exc.problems[0])) from None


def _link(path: str, anchor: str, **params) -> Callable[..., str]:
    """Page n of a list at ``path``, the other parameters kept (only numbers and tokens)."""
    kept = {k: v for k, v in params.items() if v not in ("", None, 1)}
    return lambda n, key="page": f"{path}?{urlencode({**kept, key: n})}#{anchor}"


@router.get("/jobs/{job_id}/plan")
def plan_page(request: Request, job_id: str, page: str = "1", spage: str = "1", f: str = ""):
    """KPIs, downloads, short villages and the roster a page each (filtered on the server by
    the words behind the token ``f``), the map, pins, unit load, verify and compare."""
    desk = request.app.state.desk
    job = plan_job(request, job_id)
    folder, ds = desk.plan_dir(job), _dataset(desk, job)
    want = desk.filters.get(f)
    words, role = want.get("q", ""), want.get("role", "")
    n, sn = _number(page), _number(spage)
    path = f"/jobs/{job.id}/plan"
    roster_link = _link(path, "roster", f=f if want else "", spage=sn)
    short_link = _link(path, "short-list", f=f if want else "", page=n)
    others = [j for j in desk.store.jobs() if j.has_plan and j.id != job.id]
    return render(
        request,
        "plan.html",
        job=job,
        kpis=kpis(folder),
        roster=plan_rows(folder, ds, words, role, n, roster_link),
        short=short_rows(folder, words, sn, lambda k: short_link(k, "spage")),
        load=frame_rows(sheets(folder)["单位派出"], LOAD_ROWS),
        map=village_map(ds, folder),
        pins=desk.store.pins(job.id),
        others=others,
        words=words,
        role=role,
    )


@router.post("/jobs/{job_id}/filter")
async def filter_lists(request: Request, job_id: str):
    """The search form: its words stay here behind a token (they may be names: never in a
    URL), the list is shown again through that token from its first page."""
    form = await checked_form(request)
    job = plan_job(request, job_id)
    words, role, state = text(form, "q")[:100], text(form, "role"), text(form, "state")
    values = {"q": words, "role": role if role in ROLES else "",
              "state": state if state in STATES else ""}  # fmt: skip
    target = "cadres" if text(form, "list") == "cadres" else "plan"
    anchor = "cadres" if target == "cadres" else "roster"
    if not any(values.values()):
        return RedirectResponse(f"/jobs/{job.id}/{target}#{anchor}", status_code=303)
    token = request.app.state.desk.filters.put(values)
    return RedirectResponse(f"/jobs/{job.id}/{target}?f={token}#{anchor}", status_code=303)


@router.get("/jobs/{job_id}/cadres")
def cadres_page(request: Request, job_id: str, page: str = "1", f: str = ""):
    """Every cadre of the dataset, posted or not, a page at a time, searched by id, name or
    unit: the way to any cadre's explanation in a province of 60,000."""
    desk = request.app.state.desk
    job = plan_job(request, job_id)
    folder, ds = desk.plan_dir(job), _dataset(desk, job)
    want = desk.filters.get(f)
    link = _link(f"/jobs/{job.id}/cadres", "cadres", f=f if want else "")
    listed = cadre_rows(ds, folder, want.get("q", ""), want.get("state", ""), _number(page), link)
    return render(request, "cadres.html", job=job, listed=listed, words=want.get("q", ""),
                  state=want.get("state", ""))  # fmt: skip


@router.get("/jobs/{job_id}/files/plan.xlsx")
def plan_xlsx(request: Request, job_id: str) -> FileResponse:
    job = plan_job(request, job_id)
    return download(request.app.state.desk.plan_dir(job) / "plan.xlsx", "plan.xlsx", XLSX)


@router.get("/jobs/{job_id}/files/roster.csv")
def roster_csv(request: Request, job_id: str) -> FileResponse:
    """The 名单: plan.csv as the solve wrote it (UTF-8 with BOM, opens in Chinese Excel)."""
    job = plan_job(request, job_id)
    path = request.app.state.desk.plan_dir(job) / "plan.csv"
    return download(path, "选派名单.csv", "text/csv; charset=utf-8")


@router.get("/jobs/{job_id}/charts")
def charts_page(request: Request, job_id: str):
    desk = request.app.state.desk
    job = plan_job(request, job_id)
    out = desk.store.workdir / "jobs" / job.id / "charts"
    names = charts([("方案", desk.plan_dir(job))], out, "charts")
    return render(request, "charts.html", job=job, names=names, base=f"/jobs/{job.id}/charts")


@router.get("/jobs/{job_id}/charts/{name}")
def chart(request: Request, job_id: str, name: str) -> FileResponse:
    job = plan_job(request, job_id)
    out = request.app.state.desk.store.workdir / "jobs" / job.id / "charts"
    return download(chart_file(out, name), name, "image/png")
