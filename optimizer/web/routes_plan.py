"""Step 4 and 8: reading a plan (KPIs, roster, short villages, map, unit load) and its files."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from optimizer import InputError
from optimizer.web.files import XLSX, chart_file, charts, download
from optimizer.web.labels import frame_rows
from optimizer.web.pages import render
from optimizer.web.planview import kpis, plan_rows, sheets, village_map
from optimizer.web.routes_solve import get_job

router = APIRouter()


def plan_job(request: Request, job_id: str):
    job = get_job(request, job_id)
    if not job.has_plan:
        raise HTTPException(404, "这次求解没有方案")
    return job


@router.get("/jobs/{job_id}/plan")
def plan_page(request: Request, job_id: str):
    desk = request.app.state.desk
    job = plan_job(request, job_id)
    folder = desk.plan_dir(job)
    try:
        ds = desk.load(job.dataset_id, desk.job_date(job))
    except InputError as exc:
        raise HTTPException(400, "数据已无法读取：" + str(exc.problems[0])) from None
    book = sheets(folder)
    others = [j for j in desk.store.jobs() if j.has_plan and j.id != job.id]
    return render(
        request,
        "plan.html",
        job=job,
        kpis=kpis(folder),
        roster=plan_rows(folder, ds),
        short=book["未覆盖村"].to_dict("records"),
        load=frame_rows(book["单位派出"]),
        map=village_map(ds, folder),
        pins=desk.store.pins(job.id),
        others=others,
    )


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
