"""Pages: the templates and how a route renders one (with its CSRF token)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from optimizer.web.desk import Desk
from optimizer.web.labels import install_filters

CSRF_COOKIE, SESSION_COOKIE = "zc_csrf", "zc_session"


def templates() -> Jinja2Templates:
    folder = Path(str(resources.files("optimizer.web") / "templates"))
    env = Environment(
        loader=FileSystemLoader(folder), autoescape=select_autoescape(["html", "svg"], default=True)
    )
    install_filters(env)
    return Jinja2Templates(env=env)


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """A page, with the CSRF token its forms carry and whether a login is in force."""
    desk: Desk = request.app.state.desk
    ctx.update(csrf=request.state.csrf, auth=desk.settings.token_hash is not None)
    return request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status)


def error_page(request: Request, status: int, text: str) -> HTMLResponse:
    return render(request, "error.html", status=status, text=text)
