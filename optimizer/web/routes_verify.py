"""Step 7: a hand-edited ``plan.xlsx`` uploaded back is checked by ``verify`` against the
dataset, rules and date of the solve it came from."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

import optimizer
from optimizer import InputError
from optimizer.rules.glossary import rule_label
from optimizer.web.checkview import problem_rows
from optimizer.web.forms import checked_form, read_upload
from optimizer.web.labels import SEVERITY
from optimizer.web.pages import render
from optimizer.web.routes_solve import get_job
from optimizer.web.security import new_id, private_write

router = APIRouter()


@router.post("/jobs/{job_id}/verify")
async def verify_upload(request: Request, job_id: str):
    desk = request.app.state.desk
    form = await checked_form(request)
    job = get_job(request, job_id)
    name, data = await read_upload(request, form.get("plan"))
    if not name.lower().endswith(".xlsx") or not data.startswith(b"PK"):
        raise HTTPException(400, "请上传方案工作簿 plan.xlsx（Excel 另存为 .xlsx）")
    folder = desk.store.folder("checks", new_id())
    private_write(folder / "plan.xlsx", data)
    try:
        ds = desk.load(job.dataset_id, desk.job_date(job))
        found = optimizer.verify_plan(ds, folder, desk.job_policy(job), desk.job_date(job))
    except InputError as exc:
        return render(
            request,
            "verify.html",
            job=job,
            problems=problem_rows(exc.problems),
            rows=[],
            hard=0,
            soft=0,
        )
    frame = optimizer.violations_frame(found, "zh")
    rows = [
        {**r, "severity": SEVERITY.get(r["severity"], r["severity"]), "rule": rule_label(r["rule"])}
        for r in frame.to_dict("records")
    ]
    hard = sum(v.severity == "hard" for v in found)
    return render(
        request, "verify.html", job=job, problems=[], rows=rows, hard=hard, soft=len(found) - hard
    )
