"""Step 5: why a village is short (binding rules, competing villages), where a cadre is and
why (points per soft term, the best alternative) and who else could take their post (the
ranked alternatives, :mod:`optimizer.plans.alternatives`), answered from the plan, without
solving."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

import optimizer
from optimizer import InputError
from optimizer.plans.alternatives import kept_by_pin, post_alternatives
from optimizer.web.forms import checked_form, text
from optimizer.web.pages import render
from optimizer.web.planview import cadre_at, cadre_index
from optimizer.web.routes_plan import plan_job

router = APIRouter()


def _context(request: Request, job_id: str):
    desk = request.app.state.desk
    job = plan_job(request, job_id)
    try:
        ds = desk.load(job.dataset_id, desk.job_date(job))
    except InputError as exc:
        raise HTTPException(400, "数据已无法读取：" + str(exc.problems[0])) from None
    return desk, job, ds


@router.get("/jobs/{job_id}/village/{village_id}")
def village_why(request: Request, job_id: str, village_id: str):
    desk, job, ds = _context(request, job_id)
    if village_id not in ds.villages:
        raise HTTPException(404, "数据中没有这个村")
    ex = optimizer.explain_village(
        ds, desk.job_policy(job), village_id, desk.job_date(job), plan_dir=desk.plan_dir(job)
    )
    names = {v: ds.villages[v].name for v in ex.competitors if v in ds.villages}
    return render(
        request, "why_village.html", job=job, ex=ex, village=ds.villages[village_id], names=names
    )


@router.get("/jobs/{job_id}/cadre/{number}")
def cadre_why(request: Request, job_id: str, number: int):
    desk, job, ds = _context(request, job_id)
    cadre_id = cadre_at(ds, number)
    if cadre_id is None:
        raise HTTPException(404, "数据中没有这名干部")
    ex = optimizer.explain_cadre(
        ds, desk.job_policy(job), cadre_id, desk.job_date(job), plan_dir=desk.plan_dir(job)
    )
    cadre = ds.cadres[cadre_id]
    unit = ds.units.get(cadre.unit_id)
    shorts = {v: ds.villages[v].name for v in ex.short_villages if v in ds.villages}
    alt_name = ds.villages[ex.alternative].name if ex.alternative in ds.villages else ""
    alts, pinned = None, ex.posted is not None and kept_by_pin(ds, cadre_id)
    if ex.posted and ex.scores and not pinned:  # a new posting: incumbents stay (H-INCUMBENT)
        alts = post_alternatives(
            ds, desk.job_policy(job), desk.job_date(job), desk.plan_dir(job), ex.posted,
            ex.role, holder=cadre_id,
        )  # fmt: skip
    return render(
        request,
        "why_cadre.html",
        job=job,
        ex=ex,
        cadre=cadre,
        number=number,
        unit=unit,
        shorts=shorts,
        alt_name=alt_name,
        alts=alts,
        pinned=pinned,
        numbers=cadre_index(ds),
        now_names={a.now_at: ds.villages[a.now_at].name for a in alts or () if a.now_at},
    )


@router.post("/jobs/{job_id}/find-cadre")
async def find_cadre(request: Request, job_id: str):
    """Look a cadre up by id or exact name (sent in the body, so it stays out of the URL)."""
    form = await checked_form(request)
    _, job, ds = _context(request, job_id)
    wanted = text(form, "who")
    hits = [c for c in sorted(ds.cadres) if wanted in (c, ds.cadres[c].name)]
    if not hits:
        raise HTTPException(404, "没有找到这名干部：请输入完整的干部编号或姓名")
    return RedirectResponse(f"/jobs/{job.id}/cadre/{cadre_index(ds)[hits[0]]}", status_code=303)
