"""Steps 2–3: the rules form starts a solve; the job page follows it live; stop keeps the best."""

from __future__ import annotations

import json
from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse

import optimizer
from optimizer.web.checkview import check_view, problem_rows
from optimizer.web.desk import policy_yaml
from optimizer.web.forms import checked_form, id_or_404
from optimizer.web.pages import render
from optimizer.web.policyform import fields_view, plan_day, read_form
from optimizer.web.security import new_id, private_write

router = APIRouter()


def get_job(request: Request, job_id: str):
    job = request.app.state.desk.store.job(id_or_404(job_id))
    if job is None:
        raise HTTPException(404, "没有这次求解")
    return job


@router.post("/datasets/{dataset_id}/solve")
async def start_solve(request: Request, dataset_id: str):
    desk = request.app.state.desk
    form = await checked_form(request)
    row = desk.store.dataset(id_or_404(dataset_id))
    if row is None:
        raise HTTPException(404, "没有这份数据")
    rf = read_form(form)
    if rf.problems:
        return _form_again(request, desk, row, rf)
    job_id = queue_solve(
        desk,
        row.id,
        rf.label or f"{rf.preset} {rf.plan_date}",
        rf.preset,
        rf.overrides,
        plan_day(rf).isoformat(),
        float(rf.time_limit),
    )
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def _form_again(request: Request, desk, row, rf):
    """The rules form again, as typed, with its problems; the check under it if the date reads."""
    policy = optimizer.load_policy(rf.preset)
    try:
        view = check_view(desk, row.id, rf.preset, plan_day(rf))
    except ValueError:
        view = {"problems": [], "tables": [], "warnings": []}
    return render(
        request,
        "dataset.html",
        status=400,
        ds=row,
        preset=rf.preset,
        day=rf.plan_date,
        check=view,
        values=rf.values,
        fields=fields_view(policy),
        problems=problem_rows(rf.problems),
        time_limit=rf.time_limit,
        label=rf.label,
    )


def queue_solve(
    desk,
    dataset_id: str,
    label: str,
    preset: str,
    overrides: dict,
    day: str,
    time_limit: float,
    base_job: str | None = None,
    mode: str = "solve",
    recall: bytes | None = None,
) -> str:
    """Record the job and write the files it reads (policy, recall list); the worker picks it
    up once they are in place."""
    job_id = new_id()
    folder = desk.store.folder("jobs", job_id)
    private_write(folder / "policy.yaml", policy_yaml(preset, overrides))
    if recall is not None:
        private_write(folder / "recall.csv", recall)
    desk.store.add_job(
        dataset_id,
        label,
        preset,
        json.dumps(overrides),
        day,
        time_limit,
        base_job,
        mode,
        ident=job_id,
        place=desk.place(mode),
    )
    return job_id


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str):
    job = get_job(request, job_id)
    if job.has_plan and job.status not in ("queued", "running") and not job.base_job:
        return RedirectResponse(f"/jobs/{job.id}/plan", status_code=303)
    return render(request, "job.html", job=job, overrides=json.loads(job.overrides))


@router.get("/jobs/{job_id}/status.json")
def job_status(request: Request, job_id: str):
    """What the job page polls: status, posts filled, gap, seconds (no personal data)."""
    job = get_job(request, job_id)
    keep = ("status", "posts_filled", "posts_required", "gap", "elapsed", "message", "has_plan")
    return JSONResponse({k: v for k, v in asdict(job).items() if k in keep})


@router.post("/jobs/{job_id}/stop")
async def stop_job(request: Request, job_id: str):
    await checked_form(request)
    job = get_job(request, job_id)
    request.app.state.desk.worker.stop(job.id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
