"""Issue 19's security points, each tried: token beyond localhost, CSRF, upload limits, no path
traversal, private files, nothing personal in URLs, escaped values, restart recovery."""

from __future__ import annotations

import json
import stat
import zipfile
from io import BytesIO

import pytest
from webkit import client, sample_zip

from optimizer.cli.parser import build_parser
from optimizer.web import create_app
from optimizer.web.security import ensure_token, secret_matches
from optimizer.web.store import Store


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def c(tmp_path):
    with client(create_app(tmp_path, start_worker=False)) as cl:
        cl.get("/")
        yield cl


def _post(cl, url, data=None, **kw):
    return cl.post(
        url, data={"csrf": cl.cookies.get("zc_csrf"), **(data or {})}, follow_redirects=False, **kw
    )


def test_serve_binds_localhost_by_default():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


def test_a_local_desk_answers_only_to_local_names(c):
    assert c.get("/", headers={"host": "localhost:8000"}).status_code == 200
    assert c.get("/", headers={"host": "[::1]:8000"}).status_code == 200
    r = c.get("/", headers={"host": "rebound.example:8000"})
    assert r.status_code == 403 and "本机" in r.text


def test_token_is_made_once_stored_hashed_and_private(tmp_path):
    stored, token = ensure_token(tmp_path)
    assert token and token not in (tmp_path / "desk-auth.json").read_text()
    assert _mode(tmp_path / "desk-auth.json") == 0o600
    assert secret_matches(token, stored) and not secret_matches("guess", stored)
    again, shown = ensure_token(tmp_path)
    assert shown is None and again == stored


def test_other_hosts_need_the_token(tmp_path):
    stored, token = ensure_token(tmp_path)
    with client(create_app(tmp_path, host="0.0.0.0", token_hash=stored, start_worker=False)) as cl:
        r = cl.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert (
            cl.get("/jobs/0123456789abcdef/status.json", follow_redirects=False).status_code == 303
        )
        cl.get("/login")
        assert _post(cl, "/login", {"token": "wrong"}).status_code == 403
        r = _post(cl, "/login", {"token": token})
        assert r.status_code == 303 and cl.get("/").status_code == 200
        _post(cl, "/logout")
        assert cl.get("/", follow_redirects=False).status_code == 303


def test_CSRF_every_post_needs_the_token(c):
    for url in ("/datasets", "/jobs/0123456789abcdef/stop", "/jobs/0123456789abcdef/pins"):
        assert c.post(url, data={"x": "1"}).status_code == 403
        assert c.post(url, data={"csrf": "forged"}).status_code == 403
    r = c.post(
        "/datasets",
        data={"csrf": c.cookies.get("zc_csrf")},
        headers={"origin": "http://evil.example"},
    )
    assert r.status_code == 403


def test_upload_size_limit(tmp_path):
    with client(create_app(tmp_path, max_upload=10_000, start_worker=False)) as cl:
        cl.get("/")
        r = _post(cl, "/datasets", files={"files": ("big.xlsx", b"PK" + b"0" * 20_000)})
        assert r.status_code == 413 and "太大" in r.text


def test_zip_bomb_stops_at_the_limit(tmp_path):
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("units.csv", b"0" * 2_000_000)
    with client(create_app(tmp_path, max_upload=100_000, start_worker=False)) as cl:
        cl.get("/")
        assert _post(cl, "/datasets", files={"files": ("b.zip", buf.getvalue())}).status_code == 413


def test_no_path_traversal_in_zip_names_or_urls(c, tmp_path):
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../evil.csv", "a,b\n")
        z.writestr("/etc/units.csv", "a,b\n")
    r = _post(c, "/datasets", files={"files": ("x.zip", buf.getvalue())})
    ident = r.headers["location"].rsplit("/", 1)[1]
    assert sorted(p.name for p in (tmp_path / "datasets" / ident / "csv").iterdir()) == [
        "evil.csv",
        "units.csv",
    ]
    assert not (tmp_path / "evil.csv").exists() and not (tmp_path.parent / "evil.csv").exists()
    for url in (
        "/datasets/..%2F..%2Fetc",
        "/jobs/..%2Fdesk.db/plan",
        "/jobs/nothex/status.json",
        "/compare/a/b/compare.xlsx",
    ):
        assert c.get(url).status_code == 404, url
    r = _post(c, "/datasets", files={"files": ("../x.csv", b"a\n")})  # kept by its bare name
    ident = r.headers["location"].rsplit("/", 1)[1]
    assert (tmp_path / "datasets" / ident / "csv" / "x.csv").is_file()
    assert not (tmp_path / "datasets" / ident / "x.csv").exists()
    assert _post(c, "/datasets", files={"files": ("a.exe", b"MZ")}).status_code == 400


def test_files_private_0600_and_folders_0700(c, tmp_path):
    r = _post(c, "/datasets", files={"files": ("s.zip", sample_zip())})
    ident = r.headers["location"].rsplit("/", 1)[1]
    folder = tmp_path / "datasets" / ident
    assert _mode(tmp_path) == _mode(folder) == _mode(folder / "csv") == 0o700
    assert {_mode(p) for p in (folder / "csv").iterdir()} == {0o600}
    assert _mode(tmp_path / "desk.db") == 0o600


def test_escaped_everywhere_a_label_and_a_value(c):
    r = _post(
        c,
        "/datasets",
        files={"files": ("villages.csv", b"village_id,name\n<b>x</b>,1\n")},
        data={"label": "<img src=x onerror=alert(1)>"},
    )
    page = c.get("/").text + c.get(r.headers["location"]).text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>x</b>" not in page


def test_headers_forbid_inline_scripts_and_framing(tmp_path):
    with client(create_app(tmp_path, start_worker=False)) as cl:
        r = cl.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "no-referrer"
    cookie = r.headers["set-cookie"].lower()
    assert "zc_csrf=" in cookie and "samesite=strict" in cookie and "httponly" in cookie


def test_a_bug_shows_no_details(tmp_path, monkeypatch, capsys):
    from optimizer.web import routes_data

    def boom(*_a, **_k):
        raise RuntimeError("C000150 张三 secret")

    monkeypatch.setattr(routes_data, "check_view", boom)
    with client(create_app(tmp_path, start_worker=False), raise_server_exceptions=False) as cl:
        cl.get("/")
        r = _post(cl, "/datasets", files={"files": ("s.zip", sample_zip())})
        page = cl.get(r.headers["location"])
    assert page.status_code == 500 and "张三" not in page.text and "内部错误" in page.text
    assert "张三" not in capsys.readouterr().err


def test_status_json_has_nothing_personal(c, tmp_path):
    store = Store(tmp_path)
    job = store.add_job("0123456789abcdef", "x", "hunan-2021", "{}", "2026-09-01", 5.0)
    data = c.get(f"/jobs/{job}/status.json").json()
    assert set(data) == {
        "status",
        "posts_filled",
        "posts_required",
        "gap",
        "elapsed",
        "message",
        "has_plan",
    }


def test_restart_marks_a_running_solve_interrupted(tmp_path):
    store = Store(tmp_path)
    job = store.add_job("0123456789abcdef", "x", "hunan-2021", "{}", "2026-09-01", 5.0)
    assert store.claim_next().id == job
    plan = tmp_path / "jobs" / job / "plan"
    plan.mkdir(parents=True)
    (plan / "plan.csv").write_text("village_id\n")
    store.close()
    app = create_app(tmp_path, start_worker=False)
    got = app.state.desk.store.job(job)
    assert got.status == "interrupted" and got.has_plan == 1 and "中断" in got.message
    with client(app) as cl:
        assert "已中断" in cl.get("/").text
    assert json.loads(got.overrides) == {}
