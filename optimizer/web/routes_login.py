"""The access token page, needed only when the desk listens beyond this machine."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from optimizer.web.forms import checked_form, text
from optimizer.web.pages import SESSION_COOKIE, render
from optimizer.web.security import secret_matches

router = APIRouter()


@router.get("/login")
def login_page(request: Request):
    return render(request, "login.html", wrong=False)


@router.post("/login")
async def login(request: Request):
    desk = request.app.state.desk
    form = await checked_form(request)
    stored = desk.settings.token_hash
    if stored is None:
        return RedirectResponse("/", status_code=303)
    if not secret_matches(text(form, "token"), stored):
        return render(request, "login.html", status=403, wrong=True)
    session = secrets.token_urlsafe(32)
    desk.sessions.add(session)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict", path="/")
    return response


@router.post("/logout")
async def logout(request: Request):
    await checked_form(request)
    request.app.state.desk.sessions.discard(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
