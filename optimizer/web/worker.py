"""Solves in the background: each one a ``zhucun solve`` child process, a few side by side,
or, when the desk is given a Dask cluster, a task there (:mod:`optimizer.web.cluster`).

A child process can be stopped the way a planner stops the command line (SIGINT): the CLI
then writes the best plan so far, marked interrupted, and exits 130. Its stderr is the
progress feed: posts filled and gap are parsed from it into the job store."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import optimizer
from optimizer.cli.exitcode import ExitCode
from optimizer.web.security import private_write
from optimizer.web.store import Job, Store

# progress lines in English (the library's own, from a cluster) or in Chinese (``--lang zh``)
GAP_RE = re.compile(
    r"\[\s*([\d.]+) ?(?:s|秒)\].*?(?:gap |差距 )([\d.]+)%(?:(?:, posts filled |，已配岗位 )(\d+))?"
)
COVER_RE = re.compile(r"\[\s*([\d.]+) ?(?:s|秒)\] (?:coverage: |覆盖：必配岗位 )(\d+)/(\d+)")
CHANGES_RE = re.compile(r"(?:changes: |改动：与原方案相比 )(\d+)")
SUMMARY_RE = re.compile(r"必配岗位已派 (\d+)/(\d+).*?差距 ([\d.]+)%")
EXIT_TEXT = {
    ExitCode.OK: ("done", "求解完成：所有必配岗位均已派人"),
    ExitCode.SHORT: ("done", "求解完成：仍有岗位未派满，见未覆盖村"),
    ExitCode.BAD_INPUT: ("failed", "输入有误，未求解"),
    ExitCode.NO_PLAN: ("failed", "时限内未找到方案"),
}


def default_slots() -> int:
    """One solve per two cores (each solve's search is one thread, plus loading and seating)."""
    return max(1, (os.cpu_count() or 2) // 2)


class Worker:
    """Takes queued jobs from the store and runs up to ``slots`` of them at a time."""

    def __init__(self, store: Store, dataset_path, slots: int | None = None, cluster=None):
        self.store, self.dataset_path = store, dataset_path
        self.slots = slots or default_slots()
        self.cluster = cluster
        """A :class:`~optimizer.web.cluster.Cluster` for jobs placed there, or None."""
        self._procs: dict[str, subprocess.Popen] = {}
        self._stopping: set[str] = set()
        self._busy: dict[str, str] = {}
        """Jobs claimed and not finished → their place (a slot is taken from the claim)."""
        self.on_done = None
        """Called with each finished job (the desk reads its plan ahead of the first click)."""
        self._lock = threading.Lock()
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="desk-worker", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._halt.is_set():
            job = self._claim("local", self.slots)
            if job is None and self.cluster is not None:
                job = self._claim("cluster", self.cluster.slots)
            if job is None:
                self._halt.wait(0.3)
                continue
            threading.Thread(target=self._run, args=(job,), daemon=True).start()

    def _claim(self, place: str, slots: int) -> Job | None:
        with self._lock:
            free = slots - sum(1 for p in self._busy.values() if p == place)
        job = self.store.claim_next(place) if free > 0 else None
        if job is not None:
            with self._lock:
                self._busy[job.id] = place
        return job

    def command(self, job: Job) -> list[str]:
        folder = self.store.folder("jobs", job.id)
        if job.mode == "replan":
            base = self.store.workdir / "jobs" / str(job.base_job) / "plan"
            return [
                sys.executable,
                "-m",
                "optimizer.cli",
                "replan",
                str(self.dataset_path(job.dataset_id)),
                str(base),
                "--recall",
                str(folder / "recall.csv"),
                "--policy",
                str(folder / "policy.yaml"),
                "--out",
                str(folder / "plan"),
                "--lang",
                "zh",
            ]
        cmd = [sys.executable, "-m", "optimizer.cli", "solve", str(self.dataset_path(job.dataset_id)),
               "--policy", str(folder / "policy.yaml"), "--out", str(folder / "plan"),
               "--date", job.plan_date, "--time-limit", f"{job.time_limit:g}",
               "--workers", "1", "--lang", "zh"]  # fmt: skip
        if job.base_job:  # a re-solve after pins: as few changes as coverage allows
            base = self.store.workdir / "jobs" / job.base_job / "plan"
            cmd += ["--reference", str(base), "--minimal-change"]
        return cmd

    def _run(self, job: Job) -> None:
        try:
            if self._halt.is_set():  # claimed as the server stopped: the next start runs it
                self.store.update(job.id, status="queued", started=None)
            elif job.place == "cluster" and self.cluster is not None:
                self.cluster.run(job)
            else:
                self._solve(job)
            if self.on_done is not None and not self._halt.is_set():
                self.on_done(job.id)
        finally:
            with self._lock:
                self._busy.pop(job.id, None)

    def _solve(self, job: Job) -> None:
        env = dict(os.environ)
        root = str(Path(optimizer.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env.pop("ZHUCUN_DEBUG", None)
        try:
            proc = subprocess.Popen(
                self.command(job),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            self.store.update(job.id, status="failed", message=f"无法启动求解：{exc.strerror}")
            return
        with self._lock:
            self._procs[job.id] = proc
            if job.id in self._stopping:  # stop pressed while the process was starting
                proc.send_signal(signal.SIGINT)
        self.store.update(job.id, pid=proc.pid, message="正在读取数据并建立模型…")
        lines = self._follow(job, proc)
        code = proc.wait()
        with self._lock:
            self._procs.pop(job.id, None)
            stopped = job.id in self._stopping
            self._stopping.discard(job.id)
        log = self.store.folder("jobs", job.id) / "solve.log"
        private_write(log, "\n".join(lines).encode("utf-8"))
        self._finish(job, code, lines, stopped)

    def _follow(self, job: Job, proc: subprocess.Popen) -> list[str]:
        """Read the child's stderr line by line into the store; returns every line."""
        lines: list[str] = []
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.rstrip("\n")
            lines.append(line)
            progress = parse_progress(line)
            if progress:
                self.store.update(job.id, **progress)
        return lines

    def _finish(self, job: Job, code: int, lines: list[str], stopped: bool) -> None:
        plan = (self.store.workdir / "jobs" / job.id / "plan" / "plan.csv").is_file()
        if code == 130 or code < 0:
            status = "stopped" if stopped else "interrupted"
            text = "已停止，保留了目前最好的方案" if plan else "已停止，尚无方案"
        else:
            status, text = EXIT_TEXT.get(code, ("failed", "求解出错"))
        if status == "failed":
            tail = [ln for ln in lines if ln and not ln.startswith("[")][-8:]
            text = text + ("：\n" + "\n".join(tail) if tail else "")
        self.store.update(
            job.id,
            status=status,
            exit_code=code,
            finished=time.time(),
            has_plan=int(plan and status != "failed"),
            message=text,
            pid=None,
        )

    def stop(self, job_id: str) -> bool:
        """SIGINT the job's solve (it keeps its best plan); a queued job is just cancelled."""
        job = self.store.job(job_id)
        if job is not None and job.status == "queued":
            self.store.update(
                job_id, status="stopped", message="已取消（尚未开始）", finished=time.time()
            )
            return True
        with self._lock:
            if job_id not in self._busy:
                return False
            if self._busy[job_id] == "cluster" and self.cluster is not None:
                return self.cluster.stop(job_id)
            self._stopping.add(job_id)
            proc = self._procs.get(job_id)
        if proc is not None:
            proc.send_signal(signal.SIGINT)
        return True

    def shutdown(self, wait: float = 15.0) -> None:
        """Stop taking jobs; interrupt running solves so each writes its best plan (a cluster
        solve is asked to stop and hand its best plan back)."""
        self._halt.set()
        if self.cluster is not None:
            self.cluster.stop_all()
        with self._lock:
            procs = list(self._procs.values())
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        end = time.monotonic() + wait
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
        deadline = time.monotonic() + (wait if self.cluster is not None else 5)
        while time.monotonic() < deadline:
            with self._lock:
                if not self._busy:
                    break
            time.sleep(0.05)
        if self.cluster is not None:
            self.cluster.close()


def parse_progress(line: str) -> dict | None:
    """Posts filled, posts required, gap and seconds from one progress line of ``solve``."""
    m = SUMMARY_RE.search(line)
    if m:
        return {"posts_filled": int(m[1]), "posts_required": int(m[2]), "gap": float(m[3]) / 100}
    m = COVER_RE.search(line)
    if m:
        return {
            "elapsed": float(m[1]),
            "posts_filled": int(m[2]),
            "posts_required": int(m[3]),
            "message": "已证明覆盖最大，正在优化软性目标…",
        }
    m = GAP_RE.search(line)
    if m:
        out: dict = {"elapsed": float(m[1]), "gap": float(m[2]) / 100, "message": "正在搜索…"}
        if m[3]:
            out["posts_filled"] = int(m[3])
        return out
    m = CHANGES_RE.search(line)
    if m:
        return {"message": f"最少改动为 {m[1]} 处派驻，正在此基础上优化软性目标…"}
    if line.startswith(("model:", "建模：")):
        return {"message": "模型已建立，正在求解…"}
    return None
