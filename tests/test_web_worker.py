"""The desk's background worker: progress parsed from ``solve``'s lines, a server stopped while
a solve runs leaves it interrupted with its best plan, queued solves wait for a free slot."""

from __future__ import annotations

import sys
import time

from webkit import client

from optimizer.web import create_app
from optimizer.web.worker import parse_progress

FAKE_SOLVE = r"""
import signal, sys, time, pathlib
out = pathlib.Path(sys.argv[1])
def stop(*_):
    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.csv").write_text("village_id\n")
    sys.exit(130)
signal.signal(signal.SIGINT, stop)
print("[    1.0s] coverage: 10/12 required posts, proven maximal in every class", file=sys.stderr, flush=True)
time.sleep(60)
"""


def test_progress_lines_give_posts_and_gap():
    assert parse_progress("[    1.7s] coverage: 316/316 required posts, proven maximal") == {
        "elapsed": 1.7,
        "posts_filled": 316,
        "posts_required": 316,
        "message": "已证明覆盖最大，正在优化软性目标…",
    }
    got = parse_progress(
        "[   10.2s] soft terms: best 83763, bound 86125, gap 2.82%, posts filled 316"
    )
    assert got["gap"] == 0.0282 and got["posts_filled"] == 316 and got["elapsed"] == 10.2
    got = parse_progress("最优：必配岗位已派 532/536，共 532 人次，差距 0.00%，用时 10.6 秒 → x")
    assert (got["posts_filled"], got["posts_required"], got["gap"]) == (532, 536, 0.0)
    assert parse_progress("warning: something about a name") is None
    # the desk runs ``solve --lang zh``: its Chinese lines say the same
    assert (
        parse_progress("[    0.7 秒] 覆盖：必配岗位 316/316，各类均已证明为最大")["posts_filled"]
        == 316
    )
    got = parse_progress(
        "[    3.6 秒] 软性得分：当前最好 83763，上界 86125，差距 2.82%，已配岗位 316"
    )
    assert got["gap"] == 0.0282 and got["posts_filled"] == 316 and got["elapsed"] == 3.6
    assert parse_progress("建模：单位-村变量 11040 个")["message"].startswith("模型已建立")
    got = parse_progress("[    2.0 秒] 改动：与原方案相比 2 处派驻不同，已证明最少")
    assert got == {"message": "最少改动为 2 处派驻，正在此基础上优化软性目标…"}


def test_server_stop_interrupts_a_running_solve_keeping_its_plan(tmp_path, monkeypatch):
    from optimizer.web.worker import Worker

    def fake(self, job):
        return [
            sys.executable,
            "-c",
            FAKE_SOLVE,
            str(self.store.workdir / "jobs" / job.id / "plan"),
        ]

    monkeypatch.setattr(Worker, "command", fake)
    app = create_app(tmp_path, slots=1)
    store = app.state.desk.store
    with client(app):
        first = store.add_job("0123456789abcdef", "a", "hunan-2021", "{}", "2026-09-01", 5.0)
        second = store.add_job("0123456789abcdef", "b", "hunan-2021", "{}", "2026-09-01", 5.0)
        end = time.monotonic() + 30
        while store.job(first).posts_required is None:
            assert time.monotonic() < end
            time.sleep(0.1)
        assert store.job(first).status == "running" and store.job(second).status == "queued"
    job = store.job(first)
    assert job.status == "interrupted" and job.has_plan == 1 and job.exit_code == 130
    assert store.job(second).status == "queued"  # waits for the next start
