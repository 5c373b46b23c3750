"""Solves on the Dask cluster the command line's scenario runs use, when the desk is given one.

A cluster solve is the same solve as a local one: the dataset, the policy file and the base
plan (for a re-solve) are read here and shipped with the task; progress lines come back as
they are printed there, a stop asks the remote search to end and return its best plan, and
the plan is written to the job's folder here, as ``zhucun solve`` would write it."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import optimizer
from optimizer import InputError
from optimizer.cli.exitcode import ExitCode
from optimizer.plans.build import write_plan
from optimizer.plans.reference import read_reference
from optimizer.web.security import private_write
from optimizer.web.store import Job, Store
from optimizer.whatif.dask_runner import connect
from optimizer.whatif.jobs import Job as SolveJob
from optimizer.whatif.jobs import Solved
from optimizer.whatif.remote import RemoteSolve, submit_solve

TICK = 0.3


class Cluster:
    """The desk's link to one Dask scheduler: connected at the first cluster job, as many
    solves at a time as the cluster has worker threads (each solve is one search thread)."""

    def __init__(self, store: Store, dataset_path, address: Any):
        self.store, self.dataset_path, self.address = store, dataset_path, address
        self._client: Any = None
        self._own = False
        self._handles: dict[str, RemoteSolve] = {}
        self._stopping: set[str] = set()
        self._lock = threading.Lock()
        self._slots = (1, 0.0)
        """(worker threads, when counted): asked of the scheduler at most every 10 s."""

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client, self._own = connect(self.address)
            return self._client

    @property
    def slots(self) -> int:
        """Worker threads of the cluster (1 until connected, or when it cannot be reached)."""
        with self._lock:
            client, (count, when) = self._client, self._slots
        if client is None or time.monotonic() - when < 10:
            return count
        try:
            count = max(1, sum(client.nthreads().values()))
        except Exception:  # the scheduler went away: one at a time, each job says why
            count = 1
        with self._lock:
            self._slots = (count, time.monotonic())
        return count

    def run(self, job: Job) -> None:
        """One queued job, start to end (on the worker's thread for it)."""
        try:
            handle = submit_solve(self.client(), self.remote_job(job))
        except InputError as exc:
            text = "；".join(str(p) for p in exc.problems[:3])
            self.store.update(job.id, status="failed", finished=time.time(), message=text)
            return
        except Exception as exc:  # no scheduler, a task that cannot be sent: the job says so
            self.store.update(job.id, status="failed", finished=time.time(),
                              message=f"无法提交到集群：{type(exc).__name__}")  # fmt: skip
            return
        with self._lock:
            self._handles[job.id] = handle
        self.store.update(job.id, message="已提交到集群，等待计算节点…")
        lines = self.follow(job, handle)
        try:
            solved: Solved | None = handle.result()
            error = ""
        except Exception as exc:  # a worker's error, or the cluster lost: the job says which
            solved, error = None, type(exc).__name__
        finally:
            handle.close()
            with self._lock:
                self._handles.pop(job.id, None)
                stopped = job.id in self._stopping
                self._stopping.discard(job.id)
        folder = self.store.folder("jobs", job.id)
        private_write(folder / "solve.log", "\n".join(lines).encode("utf-8"))
        self.finish(job, solved, error, stopped)

    def remote_job(self, job: Job) -> SolveJob:
        """What the task carries: the dataset, the policy file, the base plan as reference."""
        folder = self.store.workdir / "jobs" / job.id
        day = date.fromisoformat(job.plan_date)
        ds = optimizer.load_dataset(self.dataset_path(job.dataset_id), plan_date=day)
        policy = optimizer.load_policy(folder / "policy.yaml")
        reference = None
        if job.base_job:  # a re-solve after pins: as few changes as coverage allows
            base = read_reference(self.store.workdir / "jobs" / job.base_job / "plan")
            reference = dataclasses.replace(base, minimal_change=True)
        return SolveJob(job.id, ds, policy, day, job.time_limit, 0, 1, reference)

    def follow(self, job: Job, handle: RemoteSolve) -> list[str]:
        """Progress into the store until the task ends; a stop is passed on once."""
        from optimizer.web.worker import parse_progress

        lines: list[str] = []
        asked = False
        while True:
            finished = handle.done()
            for line in handle.lines():
                lines.append(line)
                progress = parse_progress(line)
                if progress:
                    self.store.update(job.id, **progress)
            if finished:
                return lines
            with self._lock:
                wanted = job.id in self._stopping
            if wanted and not asked:
                handle.stop()
                asked = True
                self.store.update(job.id, message="已请求集群停止，等待其交回目前最好的方案…")
            time.sleep(TICK)

    def finish(self, job: Job, solved: Solved | None, error: str, stopped: bool) -> None:
        folder = self.store.workdir / "jobs" / job.id
        status, code, text = outcome(solved, error, stopped)
        has_plan = solved is not None and solved.plan is not None and status != "failed"
        values: dict[str, Any] = {}
        if has_plan:
            write_plan(
                solved.plan, folder / "plan", inputs=[Path(self.dataset_path(job.dataset_id))]
            )
            k = solved.plan.kpis
            values = {
                "posts_filled": k.get("posts_filled"),
                "posts_required": k.get("posts_required"),
            }
            if solved.plan.manifest.get("gap") is not None:
                values["gap"] = solved.plan.manifest["gap"]
        self.store.update(job.id, status=status, exit_code=int(code), finished=time.time(),
                          has_plan=int(has_plan), message=text, elapsed=solved.wall_time
                          if solved is not None else None, **values)  # fmt: skip

    def stop(self, job_id: str) -> bool:
        """Ask the job's remote solve to stop (passed on as soon as it is submitted)."""
        with self._lock:
            self._stopping.add(job_id)
        return True

    def stop_all(self) -> None:
        with self._lock:
            handles = list(self._handles.values())
        for handle in handles:
            handle.stop()

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None and self._own:
            client.close()


def outcome(solved: Solved | None, error: str, stopped: bool) -> tuple[str, int, str]:
    """(status, the exit code ``zhucun solve`` would give, the planner's message)."""
    if solved is None:
        return "failed", ExitCode.NO_PLAN, f"集群上的求解出错（{error}），未得到方案"
    if solved.status == "BAD_INPUT":
        text = "；".join(str(p) for p in solved.problems[:3])
        return "failed", ExitCode.BAD_INPUT, f"输入有误，未求解：{text}"
    if solved.status == "INFEASIBLE":
        return "failed", ExitCode.BAD_INPUT, "无方案：指定人选相互矛盾或与其他硬性规则冲突"
    if not solved.has_plan:
        return "failed", ExitCode.NO_PLAN, "时限内未找到方案"
    if solved.interrupted:
        state = "stopped" if stopped else "interrupted"
        return state, ExitCode.INTERRUPTED, "已停止，保留了集群交回的目前最好的方案"
    plan = solved.plan
    if solved.all_filled and plan is not None and plan.unstaffed.empty:
        return "done", ExitCode.OK, "求解完成（集群）：所有必配岗位均已派人"
    return "done", ExitCode.SHORT, "求解完成（集群）：仍有岗位未派满，见未覆盖村"
