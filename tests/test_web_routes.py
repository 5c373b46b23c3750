"""Issue 19: every route of the desk through the test client, on the sample county solved
once under hebei-2018 (which leaves two villages short, so there is something to explain)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from webkit import POSTED, SCRIPT_NAME, client, sample_zip, wait_job

import optimizer
from optimizer.web import create_app


class Desk:
    """One desk, one dataset, one finished solve: shared by the tests of this module."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.app = create_app(workdir)
        self.c = client(self.app).__enter__()
        self.c.get("/")
        self.csrf = self.c.cookies.get("zc_csrf")
        r = self.post(
            "/datasets", files={"files": ("sample.zip", sample_zip())}, data={"label": "样例县"}
        )
        self.ds = r.headers["location"].rsplit("/", 1)[1]
        r = self.post(
            f"/datasets/{self.ds}/solve",
            data={
                "preset": "hebei-2018",
                "plan_date": "2026-09-01",
                "time_limit": "8",
                "label": "河北规则",
            },
        )
        self.job = r.headers["location"].rsplit("/", 1)[1]
        self.status = wait_job(self.c, self.job)

    def found(self, words: str, target: str = "plan") -> str:
        """The plan (or cadre list) page searched for ``words`` through the filter form."""
        r = self.post(f"/jobs/{self.job}/filter", data={"q": words, "list": target})
        return self.c.get(r.headers["location"]).text

    def post(self, url: str, data: dict | None = None, **kw):
        return self.c.post(
            url, data={"csrf": self.csrf, **(data or {})}, follow_redirects=False, **kw
        )


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    d = Desk(tmp_path_factory.mktemp("desk"))
    yield d
    d.c.__exit__(None, None, None)


def test_home_lists_the_dataset_and_the_solve(desk):
    page = desk.c.get("/").text
    assert "样例县" in page and "河北规则" in page and "已完成" in page


def test_check_shows_supply_and_demand(desk):
    page = desk.c.get(f"/datasets/{desk.ds}?preset=hebei-2018&date=2026-09-01").text
    assert 'id="check-ok"' in page and "各派出层级的合格人选" in page and "可任第一书记" in page


def test_check_shows_each_problem_with_row_column_value(desk):
    bad = (Path(__file__).parents[1] / "scenarios/sample-county/villages.csv").read_text("utf-8")
    bad = bad.replace(
        "430121002,青塔村,430121,兰平镇,430100,exited",
        "430121002,青塔村,430121,兰平镇,430100,nonsense",
        1,
    )
    r = desk.post("/datasets", files={"files": ("villages.csv", bad.encode())})
    assert r.status_code == 303
    r = desk.post(
        "/datasets",
        files=[
            ("files", ("villages.csv", bad.encode())),
            ("files", ("units.csv", b"unit_id,name,level\nU1,x,province\n")),
        ],
    )
    page = desk.c.get(r.headers["location"] + "?date=2026-09-01").text
    assert 'id="problems"' in page
    assert "<td>3</td>" in page and "nonsense" in page  # row 3 as the spreadsheet shows it


def test_rules_form_refuses_a_bad_value_naming_the_key(desk):
    r = desk.post(
        f"/datasets/{desk.ds}/solve",
        data={"preset": "hebei-2018", "plan_date": "2026-09-01", "min_key": "0"},
    )
    assert r.status_code == 400 and "categories.key.min" in r.text
    r = desk.post(
        f"/datasets/{desk.ds}/solve", data={"preset": "hebei-2018", "plan_date": "2026-13-45"}
    )
    assert r.status_code == 400 and "选派日期无法识别" in r.text


def test_rules_form_overrides_only_what_changed():
    from starlette.datastructures import FormData

    from optimizer.web.policyform import read_form

    rf = read_form(
        FormData(
            {
                "preset": "hunan-2021",
                "plan_date": "2026-09-01",
                "max_age": "55",
                "continuity": "off",
                "joint": "off",
                "min_key": "3",
            }
        )
    )
    assert rf.problems == []
    assert rf.overrides == {
        "eligibility": {"max_age": 55},
        "history": {"continuity": "off"},
        "teams": {"joint": {"enabled": False}},
    }


def test_solve_finishes_with_progress_numbers(desk):
    s = desk.status
    assert s["status"] == "done" and s["has_plan"] == 1
    assert (s["posts_filled"], s["posts_required"]) == (532, 536)
    page = desk.c.get(f"/jobs/{desk.job}", follow_redirects=False)
    assert page.status_code == 303  # a finished solve opens its plan


def test_plan_page_kpis_table_short_map_and_load(desk):
    page = desk.c.get(f"/jobs/{desk.job}/plan").text
    assert "已派岗位" in page and 'id="roster"' in page and 'id="map"' in page
    assert "430121008" in page and "430121031" in page  # the two short villages
    assert page.count("<circle") == 250 and 'class="town"' in page
    assert 'id="load"' in page and "派出人数" in page


def test_XSS_a_cadre_named_script_shows_as_text(desk):
    r = desk.post(f"/jobs/{desk.job}/filter", data={"q": POSTED, "list": "plan"})
    assert r.status_code == 303 and POSTED not in r.headers["location"]  # words stay out of URLs
    page = desk.c.get(r.headers["location"]).text
    assert SCRIPT_NAME not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    r = desk.post(f"/jobs/{desk.job}/filter", data={"q": SCRIPT_NAME, "list": "cadres"})
    page = desk.c.get(r.headers["location"]).text
    assert SCRIPT_NAME not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_roster_and_cadre_list_are_paged_and_searched_on_the_server(desk):
    page = desk.c.get(f"/jobs/{desk.job}/plan").text
    body = page.split('<table id="roster">', 1)[1].split("</table>", 1)[0]
    assert body.count("<tr data-role") == 200  # 532 postings: the first page of 200
    assert 'id="f-count">532<' in page and "第 1/3 页" in page
    page3 = desk.c.get(f"/jobs/{desk.job}/plan?page=3").text
    assert page3.split('<table id="roster">', 1)[1].count("<tr data-role") == 132
    r = desk.post(f"/jobs/{desk.job}/filter", data={"q": "", "role": "第一书记", "list": "plan"})
    page = desk.c.get(r.headers["location"]).text
    secs = page.split('<table id="roster">', 1)[1].split("</table>", 1)[0]
    assert 'data-role="队员"' not in secs and 'id="f-count">' in page
    cadres = desk.c.get(f"/jobs/{desk.job}/cadres").text
    assert cadres.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>") == 200
    r = desk.post(f"/jobs/{desk.job}/filter", data={"q": "C000001", "state": "", "list": "cadres"})
    found = desk.c.get(r.headers["location"]).text
    assert "共 1 行" in found and "C000001" in found
    assert desk.c.get(f"/jobs/{desk.job}/plan?page=x&f=unknown").status_code == 200


def test_explain_village_names_the_binding_rules(desk):
    page = desk.c.get(f"/jobs/{desk.job}/village/430121008").text
    assert "缺1个岗位" in page and "T-UNIT" in page and "430121076" in page
    assert desk.c.get(f"/jobs/{desk.job}/village/999").status_code == 404


def test_explain_cadre_where_why_and_alternative(desk):
    page = desk.found(POSTED)
    link = re.search(r'class="why-cadre" href="(/jobs/\w+/cadre/\d+)">&lt;script', page)[1]
    page = desk.c.get(link).text
    assert "&lt;script&gt;" in page and "本岗位各项得分" in page and 'id="alternative"' in page
    r = desk.post(f"/jobs/{desk.job}/find-cadre", data={"who": POSTED})
    assert r.headers["location"] == link and POSTED not in r.headers["location"]


def test_explain_cadre_ranks_who_else_could_take_the_post(desk):
    r = desk.post(f"/jobs/{desk.job}/find-cadre", data={"who": POSTED})
    page = desk.c.get(r.headers["location"]).text
    table = page[page.index("可替换人选") :]
    assert 'id="alternatives"' in table and "与现任相比" in table
    rows = re.findall(r'<tr><td><a class="why-cadre" href="/jobs/\w+/cadre/\d+">', table)
    assert 1 <= len(rows) <= 10 and ("空闲" in table or "现任" in table)
    assert re.search(r"<td>[+-]\d+</td><td>[+-]\d+</td>", table)
    assert "S-TRAVEL(" in table  # terms by rule id with the Chinese name
    assert SCRIPT_NAME not in page  # every value escaped


def test_recall_repairs_only_the_damaged_team_diff_then_accept(desk):
    r = desk.post(f"/jobs/{desk.job}/pins", data={"pin": f"recall|{POSTED}|430121001"})
    assert r.status_code == 303
    assert "撤回（只补派该队）" in desk.c.get(f"/jobs/{desk.job}/plan").text
    r = desk.post(f"/jobs/{desk.job}/resolve")
    new = r.headers["location"].rsplit("/", 1)[1]
    assert wait_job(desk.c, new)["has_plan"] == 1
    page = desk.c.get(f"/jobs/{new}/diff").text
    assert 1 <= int(re.search(r'id="n-moves">(\d+)', page)[1]) <= 3  # the recalled and a stand-in
    assert f"<td>{POSTED}</td>" in page
    r = desk.post(f"/jobs/{new}/decide", data={"choice": "accept"})
    assert r.headers["location"] == f"/jobs/{new}/plan"
    assert "（已采用）" in desk.c.get("/").text
    assert "已采用" in desk.c.get(f"/jobs/{new}/plan").text
    desk.resolved = new


def test_forbid_resolves_with_the_fewest_changes_and_says_how_many(desk):
    desk.post(f"/jobs/{desk.job}/pins/clear")
    plan = (desk.workdir / "jobs" / desk.job / "plan" / "plan.csv").read_text("utf-8-sig")
    where = next(line.split(",")[0] for line in plan.splitlines() if f",{POSTED}," in line)
    r = desk.post(f"/jobs/{desk.job}/pins", data={"pin": f"forbid|{POSTED}|{where}"})
    assert r.status_code == 303
    r = desk.post(f"/jobs/{desk.job}/resolve")
    new = r.headers["location"].rsplit("/", 1)[1]
    assert wait_job(desk.c, new)["has_plan"] == 1
    page = desk.c.get(f"/jobs/{new}/diff").text
    # the forbidden secretary leaves and one stand-in comes: nothing else moves
    assert int(re.search(r'id="n-moves">(\d+)', page)[1]) == 2
    assert "改动派驻" in page and "已证明这是满足指定的最少改动" in page
    assert f"<td>{POSTED}</td>" in page
    desk.post(f"/jobs/{new}/decide", data={"choice": "discard"})


def test_pins_are_added_to_a_copy_of_the_dataset(desk):
    from optimizer.web.routes_decide import pinned_files

    ds = desk.app.state.desk.load(desk.ds, None)
    pins = [{"cadre_id": POSTED, "village_id": "430121001", "kind": "forbid"},
            {"cadre_id": "C000001", "village_id": "430121002", "kind": "require"},
            {"cadre_id": "C000001", "village_id": "430121003", "kind": "require"}]  # fmt: skip
    text = pinned_files(ds, pins)["pins.csv"].decode()
    assert text.splitlines() == [
        "cadre_id,village_id,role,kind",
        f"{POSTED},430121001,,forbid",
        "C000001,430121003,,require",
    ]


def test_mixed_recall_and_pins_are_refused(desk):
    desk.post(f"/jobs/{desk.job}/pins", data={"pin": f"recall|{POSTED}|430121001"})
    desk.post(f"/jobs/{desk.job}/pins", data={"pin": "forbid|C000001|430121001"})
    assert desk.post(f"/jobs/{desk.job}/resolve").status_code == 400
    assert desk.post(f"/jobs/{desk.job}/pins/clear").status_code == 303
    assert "撤回（只补派该队）" not in desk.c.get(f"/jobs/{desk.job}/plan").text


def test_pin_refuses_unknown_people(desk):
    r = desk.post(f"/jobs/{desk.job}/pins", data={"pin": "require|NOBODY|430121001"})
    assert r.status_code == 400


def test_downloads_plan_xlsx_roster_and_charts(desk):
    r = desk.c.get(f"/jobs/{desk.job}/files/plan.xlsx")
    assert r.status_code == 200 and r.content.startswith(b"PK")
    assert r.headers["content-disposition"].startswith("attachment")
    r = desk.c.get(f"/jobs/{desk.job}/files/roster.csv")
    assert "干部编号" not in r.text and r.text.lstrip("\ufeff").startswith("village_id")
    page = desk.c.get(f"/jobs/{desk.job}/charts").text
    names = re.findall(r'<img src="([^"]+)"', page)
    assert len(names) == 5
    assert desk.c.get(names[0]).content.startswith(b"\x89PNG")
    assert desk.c.get(f"/jobs/{desk.job}/charts/..%2Fplan%2Fplan.csv").status_code == 404


def test_verify_an_edited_plan_xlsx(desk, tmp_path):
    from openpyxl import load_workbook

    good = desk.c.get(f"/jobs/{desk.job}/files/plan.xlsx").content
    page = desk.post(f"/jobs/{desk.job}/verify", files={"plan": ("plan.xlsx", good)}).text
    assert "方案有效" in page
    path = tmp_path / "plan.xlsx"
    path.write_bytes(good)
    book = load_workbook(path)
    sheet = book["选派名单"]
    sheet.cell(row=3, column=6).value = sheet.cell(row=2, column=6).value  # one cadre twice
    book.save(path)
    page = desk.post(
        f"/jobs/{desk.job}/verify", files={"plan": ("plan.xlsx", path.read_bytes())}
    ).text
    assert "违反硬性规则" in page and 'id="violations"' in page


def test_compare_two_solves_and_download(desk):
    other = getattr(desk, "resolved", None)
    if other is None:
        pytest.skip(
            "needs the repair of test_recall_repairs_only_the_damaged_team_diff_then_accept"
        )
    page = desk.c.get(f"/compare?a={desk.job}&b={other}").text
    assert "方案A" in page and 'id="cmp-kpis"' in page and 'id="moves"' in page
    r = desk.c.get(f"/compare/{desk.job}/{other}/compare.xlsx")
    assert r.status_code == 200 and r.content.startswith(b"PK")
    assert desk.c.get(f"/compare?a={desk.job}&b={desk.job}").status_code == 400


def test_downloaded_plan_verifies_clean(desk, tmp_path):
    (tmp_path / "plan.xlsx").write_bytes(desk.c.get(f"/jobs/{desk.job}/files/plan.xlsx").content)
    found = optimizer.verify_plan(
        desk.app.state.desk.dataset_path(desk.ds), tmp_path, "hebei-2018", "2026-09-01"
    )
    assert [v for v in found if v.severity == "hard"] == []


def test_stop_keeps_the_best_plan(desk):
    r = desk.post(
        f"/datasets/{desk.ds}/solve",
        data={
            "preset": "hunan-2021",
            "plan_date": "2026-09-01",
            "time_limit": "300",
            "label": "停止测试",
        },
    )
    job = r.headers["location"].rsplit("/", 1)[1]
    import time

    end = time.monotonic() + 60
    while desk.c.get(f"/jobs/{job}/status.json").json()["posts_required"] is None:
        assert time.monotonic() < end
        time.sleep(0.2)
    assert desk.post(f"/jobs/{job}/stop").status_code == 303
    s = wait_job(desk.c, job)
    assert s["status"] == "stopped" and s["has_plan"] == 1 and "保留" in s["message"], s
    assert "中途停止" in desk.c.get(f"/jobs/{job}/plan").text


def test_the_empty_template_workbook_uploads_and_is_checked(desk, tmp_path):
    from optimizer.data.template import write_template

    write_template(tmp_path / "模板.xlsx")
    r = desk.post(
        "/datasets", files={"files": ("模板.xlsx", (tmp_path / "模板.xlsx").read_bytes())}
    )
    assert r.status_code == 303
    page = desk.c.get(r.headers["location"] + "?date=2026-09-01")
    assert page.status_code == 200 and (
        'id="problems"' in page.text or 'id="check-ok"' in page.text
    )
    assert desk.post("/datasets", files={"files": ("x.xlsx", b"not a zip")}).status_code == 400


def test_compare_page_lists_solves_and_charts_of_a_pair(desk):
    page = desk.c.get("/compare").text
    assert "方案比较" in page and "河北规则" in page
