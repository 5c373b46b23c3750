"""Issue 19, step 3 on a cluster: with a Dask scheduler the desk queues its solves there; the
job list says where each runs, progress comes back, a stop keeps the best plan the cluster
hands back, the plan is written in the workdir (0600), and a server stopped mid-solve leaves
the job interrupted with its best plan, as for a local solve.

A small in-process ``LocalCluster`` (one worker thread) stands in for the cluster. Dask is an
optional extra (``zhucun[dask]``, also in ``dev``, which CI installs); without it the module
is skipped."""

from __future__ import annotations

import time

import pytest
from webkit import client, sample_zip, wait_job

from optimizer.web import create_app

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as c:
        yield c


def start(c, csrf: str, time_limit: str, label: str) -> str:
    r = c.post(
        "/datasets",
        data={"csrf": csrf, "label": "样例县"},
        files={"files": ("sample.zip", sample_zip())},
        follow_redirects=False,
    )
    ds = r.headers["location"].rsplit("/", 1)[1]
    r = c.post(
        f"/datasets/{ds}/solve",
        data={"csrf": csrf, "preset": "hunan-2021", "plan_date": "2026-09-01",
              "time_limit": time_limit, "label": label},
        follow_redirects=False,
    )  # fmt: skip
    return r.headers["location"].rsplit("/", 1)[1]


def progress(c, job: str, timeout: float = 90) -> dict:
    end = time.monotonic() + timeout
    while True:
        s = c.get(f"/jobs/{job}/status.json").json()
        if s["posts_required"] is not None:
            return s
        assert time.monotonic() < end, s
        time.sleep(0.2)


def test_cluster_solve_shows_progress_and_a_stop_keeps_its_best_plan(tmp_path, cluster):
    app = create_app(tmp_path, dask=cluster.scheduler_address)
    with client(app) as c:
        c.get("/")
        csrf = c.cookies.get("zc_csrf")
        job = start(c, csrf, "300", "集群求解")
        assert app.state.desk.store.job(job).place == "cluster"
        s = progress(c, job)
        assert s["status"] == "running" and s["posts_required"] == 316
        assert "集群" in c.get("/").text  # the job list says where it runs
        r = c.post(f"/jobs/{job}/stop", data={"csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303
        s = wait_job(c, job, timeout=60)
        assert s["status"] == "stopped" and s["has_plan"] == 1 and "保留" in s["message"]
        plan = tmp_path / "jobs" / job / "plan"
        assert (plan / "plan.csv").stat().st_mode & 0o777 == 0o600
        page = c.get(f"/jobs/{job}/plan").text
        assert "中途停止" in page
        assert c.get(f"/jobs/{job}/files/plan.xlsx").status_code == 200


def test_server_stopped_mid_cluster_solve_leaves_it_interrupted_with_its_plan(tmp_path, cluster):
    app = create_app(tmp_path, dask=cluster.scheduler_address)
    store = app.state.desk.store
    with client(app) as c:
        c.get("/")
        job = start(c, c.cookies.get("zc_csrf"), "300", "关机测试")
        progress(c, job)
    got = store.job(job)  # the shutdown asked the cluster for the best plan and wrote it
    assert got.status == "interrupted" and got.has_plan == 1
    assert (tmp_path / "jobs" / job / "plan" / "plan.csv").is_file()


def test_a_start_without_the_cluster_runs_its_queued_jobs_here(tmp_path):
    first = create_app(tmp_path, start_worker=False)
    store = first.state.desk.store
    job = store.add_job("0123456789abcdef", "x", "hunan-2021", "{}", "2026-09-01", 5.0,
                        place="cluster")  # fmt: skip
    store.close()
    again = create_app(tmp_path, start_worker=False)
    assert again.state.desk.store.job(job).place == "local"
