"""Step 1: the home page, uploading a dataset, and ``check``'s answer with the rules form."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

import optimizer
from optimizer.data.parsing import BadValue, parse_date
from optimizer.web.checkview import check_view
from optimizer.web.forms import checked_form, id_or_404, read_upload
from optimizer.web.pages import render
from optimizer.web.policyform import fields_view, preset_values
from optimizer.web.uploads import classify, store_upload

router = APIRouter()
DEFAULT_PRESET = "hunan-2021"


@router.get("/")
def home(request: Request):
    desk = request.app.state.desk
    return render(
        request,
        "home.html",
        datasets=desk.store.datasets(),
        jobs=desk.store.jobs(),
        recovered=request.app.state.recovered,
    )


@router.post("/datasets")
async def upload(request: Request):
    desk = request.app.state.desk
    form = await checked_form(request)
    items = [await read_upload(request, f) for f in form.getlist("files")]
    if not items:
        raise HTTPException(400, "请选择要上传的文件")
    up = classify(items, desk.settings.max_upload * 5)
    label = str(form.get("label") or "").strip()[:60] or items[0][0][:60]
    ident = desk.store.add_dataset(label, up.kind)
    store_upload(up, desk.store.folder("datasets", ident))
    return RedirectResponse(f"/datasets/{ident}", status_code=303)


def query_day(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return parse_date(text)
    except BadValue:
        raise HTTPException(400, "选派日期无法识别，请写成 2026-09-01") from None


@router.get("/datasets/{dataset_id}")
def dataset_page(
    request: Request, dataset_id: str, preset: str = DEFAULT_PRESET, date: str | None = None
):
    """Check at the preset and date in the query (both harmless to show in a URL)."""
    desk = request.app.state.desk
    row = desk.store.dataset(id_or_404(dataset_id))
    if row is None:
        raise HTTPException(404, "没有这份数据")
    preset = preset if preset in optimizer.PRESETS else DEFAULT_PRESET
    day = query_day(date)
    view = check_view(desk, row.id, preset, day)
    policy = optimizer.load_policy(preset)
    return render(
        request,
        "dataset.html",
        ds=row,
        preset=preset,
        day=day.isoformat(),
        check=view,
        values=preset_values(policy),
        fields=fields_view(policy),
        problems=[],
        time_limit="60",
        label="",
    )
