"""County blocks' integer programs (:mod:`optimizer.scale.lpblocks`) solved in a child
process. HiGHS 1.12's MIP writes a debug line to the process's standard output now and then
(``HighsMipSolverData::transformNewIntegerFeasibleSolution``), which a planner must never
see: in a child whose output goes nowhere it cannot reach them, and the parent can stop the
child's clock outright."""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import select
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

Job = tuple  # (row lo, row hi, cost, col lo, col hi, indptr, indices, data, seconds[, integer[, bound]])


def mip_bound(hp, job: Job) -> float:
    """The block's integer program (all columns integer): its dual bound, −inf if none."""
    h = model(hp, job)
    # its dual bound only: no presolve (the same bounds, 3× sooner on province-201's blocks
    # under hebei-2018: 0.26 s each), no primal heuristics
    h.setOptionValue("presolve", "off")
    h.setOptionValue("mip_heuristic_effort", 0.0)
    h.run()
    got = float(h.getInfo().mip_dual_bound)
    return got if math.isfinite(got) else -math.inf


def mip_solution(hp, job: Job) -> tuple[np.ndarray | None, bool, float]:
    """The integer program's best solution (None if none), whether it is proven optimal, and
    its dual bound. No symmetry detection: on city-201's coverage program under hebei-2018 it
    took 13 of 35 s and the root alone solved it. A job's eleventh item is an objective bound:
    only better solutions are sought, and ``(None, True, …)`` says there is none."""
    h = model(hp, job)
    h.setOptionValue("mip_detect_symmetry", False)
    if len(job) > 10:  # a proof: no solution is sought, and a restart only repeats the root
        h.setOptionValue("objective_bound", float(job[10]))  # (city-202's count: 18.6 → 10.2 s)
        h.setOptionValue("mip_allow_restart", False)
        h.setOptionValue("mip_heuristic_effort", 0.0)
    h.run()
    sol, dual = h.getSolution(), float(h.getInfo().mip_dual_bound)
    if not sol.value_valid:
        return None, len(job) > 10 and h.getModelStatus() == hp.HighsModelStatus.kInfeasible, dual
    optimal = h.getModelStatus() == hp.HighsModelStatus.kOptimal
    return np.asarray(sol.col_value, dtype=float), optimal, dual


def model(hp, job: Job):
    """The job's integer program in a HiGHS model: its columns integer where ``integer``
    says (all without it)."""
    rlo, rup, cost, lo, up, indptr, indices, data, seconds, *rest = job[:10]
    h = hp._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", float(seconds))
    n = len(cost)
    h.addRows(len(rlo), rlo, rup, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
    h.addCols(n, cost, lo, up, len(data), indptr, indices, data)
    integer = rest[0] if rest else np.ones(n, dtype=np.uint8)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.asarray(integer, np.uint8))
    return h


class Server:
    """The child process and its pipes: one block at a time."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self.p = subprocess.Popen(
            [sys.executable, "-m", "optimizer.scale.blockserve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )

    def send(self, job: Job) -> bool:
        """Hand the child one block; False if it is gone."""
        try:
            pickle.dump(job, self.p.stdin)
            self.p.stdin.flush()
            return True
        except OSError:
            return False

    def recv(self) -> float:
        """The block's dual bound, once :func:`select.select` says it is back."""
        got = self.answer()
        return -math.inf if got is None else float(got)

    def answer(self):
        """The child's answer to the last job (None if it is gone)."""
        try:
            return pickle.load(self.p.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def kill(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
        self.close()

    def close(self) -> None:
        """End the child: its input closed (it returns), else killed after a second."""
        with contextlib.suppress(OSError):
            self.p.stdin.close()
        try:
            self.p.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        with contextlib.suppress(OSError):
            self.p.stdout.close()


def main() -> None:
    out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    from scipy.optimize._highspy import _core as hp

    inp = sys.stdin.buffer
    while True:
        try:
            job = pickle.load(inp)
        except EOFError:
            return
        # a job with an integrality mask asks for the solution (:func:`solve_one`)
        pickle.dump(mip_solution(hp, job) if len(job) > 9 else mip_bound(hp, job), out)
        out.flush()


if __name__ == "__main__":
    main()


def solve_one(job: Job, deadline: float | None, cancel=None) -> tuple[np.ndarray | None, bool]:
    """One integer program's best solution and whether it is optimal
    (:func:`mip_solution`), in a child killed at ``deadline`` or once ``cancel`` (an event)
    is set: then ``(None, False)``."""
    x, optimal, _dual = solve_with_bound(job, deadline, cancel)
    return x, optimal


def solve_with_bound(job: Job, deadline: float | None,
                     cancel=None) -> tuple[np.ndarray | None, bool, float]:  # fmt: skip
    """:func:`solve_one`, and the program's dual bound (−inf when none)."""
    server = Server()
    got = None
    try:
        if not server.send(job):
            return None, False, -math.inf
        while got is None and not (cancel is not None and cancel.is_set()):
            left = 0.25 if deadline is None else min(0.25, deadline + 0.5 - time.monotonic())
            if left <= 0:
                break
            if select.select([server.p.stdout], [], [], left)[0]:
                got = server.answer() or (None, False, -math.inf)
    finally:
        server.kill()
    return got if got is not None else (None, False, -math.inf)


def solve_all(jobs, n: int, workers: int, deadline: float | None, wait: float) -> list[float]:
    """Dual bounds of blocks ``0..n-1`` (``jobs(k)`` builds block ``k``'s job), ``workers``
    children side by side, until ``deadline`` (``time.monotonic()``); a block not back
    ``wait`` s after the last answer, or never sent, gets −inf."""
    got = [-math.inf] * n
    servers = [Server() for _ in range(max(1, min(workers, n)))] if n else []
    busy: dict[int, int] = {}  # server → block
    k = 0
    try:
        while k < n or busy:
            left = math.inf if deadline is None else deadline - time.monotonic()
            for s in range(len(servers)):
                if s not in busy and k < n and left > 0.05:
                    if servers[s].send(jobs(k, min(wait, left))):
                        busy[s] = k
                    k += 1
            if not busy:
                break
            pipes = {servers[s].p.stdout: s for s in busy}
            ready, _, _ = select.select(list(pipes), [], [], max(0.0, min(wait, left)) + 1.0)
            if not ready:
                break
            for f in ready:
                s = pipes[f]
                got[busy.pop(s)] = servers[s].recv()
    finally:
        for s, server in enumerate(servers):
            server.kill() if s in busy else server.close()
    return got
