"""The app factory: middleware for the token, CSRF, upload size and headers; the templates."""

from __future__ import annotations

import secrets
import sys
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from optimizer import InputError
from optimizer.web import (
    routes_compare,
    routes_data,
    routes_decide,
    routes_login,
    routes_plan,
    routes_solve,
    routes_verify,
    routes_why,
)
from optimizer.web.desk import Desk, Settings
from optimizer.web.pages import CSRF_COOKIE, SESSION_COOKIE, error_page, templates
from optimizer.web.security import is_local

OPEN_PATHS = ("/login", "/static/")
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def create_app(settings: Settings) -> FastAPI:
    """A desk over ``settings.workdir``; its worker starts with the app and stops with it,
    interrupting running solves so each keeps its best plan."""
    desk = Desk.open(settings)
    recovered = desk.store.recover()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.start_worker:
            desk.worker.start()
        yield
        desk.worker.shutdown()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.desk, app.state.templates, app.state.recovered = desk, templates(), recovered
    static = Path(str(resources.files("optimizer.web") / "static"))
    app.mount("/static", StaticFiles(directory=static), name="static")
    _install_middleware(app, desk)
    _install_routes(app)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if not hasattr(request.state, "csrf"):
            request.state.csrf = ""
        return error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        if not hasattr(request.state, "csrf"):
            request.state.csrf = ""
        return error_page(request, 400, "；".join(str(p) for p in exc.problems[:5]))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        """A bug: the type only on the console (messages may quote the planner's data)."""
        print(
            f"内部错误：{type(exc).__name__}（{request.method} {request.url.path}）",
            file=sys.stderr,
        )
        if not hasattr(request.state, "csrf"):
            request.state.csrf = ""
        return error_page(request, 500, "内部错误：操作未完成，请返回重试")

    return app


def _install_routes(app: FastAPI) -> None:
    for module in (
        routes_login,
        routes_data,
        routes_solve,
        routes_plan,
        routes_why,
        routes_decide,
        routes_verify,
        routes_compare,
    ):
        app.include_router(module.router)


def _install_middleware(app: FastAPI, desk: Desk) -> None:
    @app.middleware("http")
    async def guard(request: Request, call_next):
        request.state.csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        refused = _refuse(request, desk)
        response = refused if refused is not None else await call_next(request)
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        if request.cookies.get(CSRF_COOKIE) != request.state.csrf:
            response.set_cookie(
                CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict", path="/"
            )
        return response


def _hostname(host: str) -> str:
    return host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0]


def _refuse(request: Request, desk: Desk) -> Response | None:
    """Too big, from another site, or without the token: answered before any route runs. A
    desk without a token answers only to a local name (a rebound DNS name is refused)."""
    if desk.settings.token_hash is None and not is_local(
        _hostname(request.headers.get("host", ""))
    ):
        return error_page(request, 403, "本工作台只接受本机地址访问（127.0.0.1 或 localhost）")
    if request.method == "POST":
        size = request.headers.get("content-length")
        if size is None or not size.isdigit():
            return error_page(request, 411, "请求缺少长度信息")
        if int(size) > desk.settings.max_upload:
            mb = desk.settings.max_upload // (1024 * 1024)
            return error_page(request, 413, f"上传的文件太大：上限为 {mb} MB")
        origin = request.headers.get("origin")
        host = request.headers.get("host", "")
        if origin and origin != "null" and origin.split("://", 1)[-1] != host:
            return error_page(request, 403, "拒绝来自其他网站的提交")
    if desk.settings.token_hash is None or request.url.path.startswith(OPEN_PATHS):
        return None
    if request.cookies.get(SESSION_COOKIE) in desk.sessions:
        return None
    return RedirectResponse("/login", status_code=303)
