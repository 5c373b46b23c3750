"""Reading a POST: the CSRF token checked first, uploads read with a size cap."""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.datastructures import FormData, UploadFile

from optimizer.web.security import csrf_matches, valid_id

CHUNK = 1 << 20


async def checked_form(request: Request) -> FormData:
    """The form, once its CSRF token matches the cookie's; else 403 before anything runs."""
    form = await request.form(max_files=4, max_fields=200)
    if not csrf_matches(request.cookies.get("zc_csrf"), str(form.get("csrf") or "")):
        raise HTTPException(403, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")
    return form


async def read_upload(request: Request, item: object) -> tuple[str, bytes]:
    """An uploaded file's name and bytes, refused past the desk's size limit."""
    if not isinstance(item, UploadFile) or not item.filename:
        raise HTTPException(400, "请选择要上传的文件")
    limit = request.app.state.desk.settings.max_upload
    data = bytearray()
    while chunk := await item.read(CHUNK):
        data += chunk
        if len(data) > limit:
            raise HTTPException(413, f"上传的文件太大：上限为 {limit // (1024 * 1024)} MB")
    return item.filename, bytes(data)


def id_or_404(ident: str) -> str:
    """Ids in URLs are 16 hex digits; anything else (``../``, a path) is not found."""
    if not valid_id(ident):
        raise HTTPException(404, "没有这一项")
    return ident


def text(form: FormData, key: str, default: str = "") -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else default
