"""Step 6: pin or forbid from the table, re-solve with minimal change against the current plan
(coverage per class first, then as few changed postings as possible, then points:
:mod:`optimizer.terms.adjust`), see the diff with its change count, then accept or discard."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

import optimizer
from optimizer.web.forms import checked_form, id_or_404, text
from optimizer.web.labels import frame_rows, zh_diff
from optimizer.web.pages import render
from optimizer.web.routes_compare import DIFF_ROWS
from optimizer.web.routes_plan import plan_job
from optimizer.web.routes_solve import get_job, queue_solve
from optimizer.web.security import private_write
from optimizer.whatif.build import dataset_tables

router = APIRouter()
PIN_COLUMNS = ["cadre_id", "village_id", "role", "kind"]
RESOLVE_SECONDS = 30.0
PIN_KINDS = ("require", "forbid", "recall")
"""``recall`` takes the cadre out and repairs only the team they leave (``replan``)."""


@router.post("/jobs/{job_id}/pins")
async def add_pin(request: Request, job_id: str):
    desk = request.app.state.desk
    form = await checked_form(request)
    job = plan_job(request, job_id)
    ds = desk.load(job.dataset_id, desk.job_date(job))
    cadre, village, kind = text(form, "cadre_id"), text(form, "village_id"), text(form, "kind")
    if text(form, "pin"):  # a button of the plan table: kind|cadre|village
        kind, cadre, village = ([*text(form, "pin").split("|"), "", ""])[:3]
    if cadre not in ds.cadres or village not in ds.villages or kind not in PIN_KINDS:
        raise HTTPException(400, "指定或排除的干部、村或类型不在数据中")
    desk.store.set_pin(job.id, cadre, village, kind)
    return RedirectResponse(f"/jobs/{job.id}/plan#pins", status_code=303)


@router.post("/jobs/{job_id}/pins/clear")
async def clear_pins(request: Request, job_id: str):
    await checked_form(request)
    job = plan_job(request, job_id)
    request.app.state.desk.store.drop_pins(job.id)
    return RedirectResponse(f"/jobs/{job.id}/plan#pins", status_code=303)


def pinned_files(ds, pins: list[dict[str, str]]) -> dict[str, bytes]:
    """The dataset as CSV files with the new pins added (a new require pin of a cadre replaces
    the cadre's earlier require pin; a pin on the same pair replaces the earlier one)."""
    files = dataset_tables(ds)
    rows: list[dict[str, str]] = []
    if "pins.csv" in files:
        rows = list(csv.DictReader(io.StringIO(files["pins.csv"].decode("utf-8-sig"))))
    for pin in pins:
        rows = [
            r
            for r in rows
            if (r["cadre_id"], r["village_id"]) != (pin["cadre_id"], pin["village_id"])
            and not (pin["kind"] == "require" == r.get("kind") and r["cadre_id"] == pin["cadre_id"])
        ]
        rows.append(
            {
                "cadre_id": pin["cadre_id"],
                "village_id": pin["village_id"],
                "role": "",
                "kind": pin["kind"],
            }
        )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, PIN_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    files["pins.csv"] = buf.getvalue().encode("utf-8")
    return files


@router.post("/jobs/{job_id}/resolve")
async def resolve(request: Request, job_id: str):
    """Recalls only: a repair of the damaged teams (``replan``). Pins: a minimal-change
    re-solve of the dataset with the pins added, against the current plan."""
    desk = request.app.state.desk
    await checked_form(request)
    base = plan_job(request, job_id)
    pins = desk.store.pins(base.id)
    if not pins:
        raise HTTPException(400, "还没有指定、排除或撤回任何人：请先在方案表中点相应按钮")
    recalls = [p for p in pins if p["kind"] == "recall"]
    if recalls and len(recalls) < len(pins):
        raise HTTPException(400, "撤回（只补派受影响的工作队）与指定/排除（整体重算）请分开进行")
    overrides = json.loads(base.overrides)
    label = f"{base.label}（调整 {len(pins)} 处）"
    if recalls:
        lines = "cadre_id,reason\n" + "".join(f"{p['cadre_id']},工作台撤回\n" for p in recalls)
        new = queue_solve(
            desk,
            base.dataset_id,
            label,
            base.preset,
            overrides,
            base.plan_date,
            base.time_limit,
            base.id,
            "replan",
            lines.encode("utf-8"),
        )
    else:
        # the fewest changes are proven by a search of their own before the points: give it time
        new = queue_solve(
            desk,
            _pinned_dataset(desk, base, pins),
            label,
            base.preset,
            overrides,
            base.plan_date,
            max(base.time_limit, RESOLVE_SECONDS),
            base.id,
        )
    desk.store.drop_pins(base.id)
    return RedirectResponse(f"/jobs/{new}", status_code=303)


def _pinned_dataset(desk, base, pins: list[dict[str, str]]) -> str:
    ds = desk.load(base.dataset_id, desk.job_date(base))
    row = desk.store.dataset(base.dataset_id)
    derived = desk.store.add_dataset(
        f"{row.label if row else ''}（含指定）", "csv", parent=base.dataset_id
    )
    folder = desk.store.folder("datasets", derived) / "csv"
    for name, data in pinned_files(ds, pins).items():
        private_write(folder / name, data)
    return derived


@router.get("/jobs/{job_id}/diff")
def diff_page(request: Request, job_id: str):
    """What the re-solve changed against the plan it started from, before accepting it."""
    desk = request.app.state.desk
    job = plan_job(request, job_id)
    base = get_job(request, id_or_404(job.base_job or ""))
    a = dataclasses.replace(optimizer.load_run(desk.plan_dir(base)), name="原方案")
    b = dataclasses.replace(optimizer.load_run(desk.plan_dir(job)), name="新方案")
    moves, villages = optimizer.plan_diff(a, b), optimizer.village_diff(a, b)
    kp = optimizer.compare([a, b], "zh")
    phases = {p.get("phase"): p.get("status") for p in b.manifest.get("phases", [])}
    return render(
        request,
        "diff.html",
        job=job,
        base=base,
        moves=frame_rows(zh_diff(moves), DIFF_ROWS),
        villages=frame_rows(zh_diff(villages), DIFF_ROWS),
        changed=(len(moves), len(villages)),
        kpis=frame_rows(kp),
        proven=b.kpis.get("status") == "OPTIMAL" or job.mode == "replan",
        fewest=phases.get("changes") == "OPTIMAL" if "changes" in phases else None,
    )


@router.post("/jobs/{job_id}/decide")
async def decide(request: Request, job_id: str):
    desk = request.app.state.desk
    form = await checked_form(request)
    job = plan_job(request, job_id)
    accept = text(form, "choice") == "accept"
    desk.store.update(job.id, accepted=1 if accept else -1)
    target = job.id if accept else job.base_job
    return RedirectResponse(f"/jobs/{target}/plan", status_code=303)
