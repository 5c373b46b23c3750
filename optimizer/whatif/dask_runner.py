"""Send scenario solves to a Dask distributed cluster (``zhucun run --dask ADDRESS``).

Optional: needs ``pip install 'zhucun[dask]'`` here and ``zhucun`` installed on the workers.
Each task carries its edited dataset and policy, so workers need no shared file system; the
run folders are written here, as results come back. A task is one whole solve, and each
solve uses one CP-SAT thread, so give workers one thread each (``--nthreads 1``) and as many
workers as cores.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from optimizer.data.errors import InputError, Problem
from optimizer.whatif.jobs import Job, Solved, solve_job

CONNECT_TIMEOUT = "20s"


def connect(target: Any) -> tuple[Any, bool]:
    """A ``distributed.Client`` for an address (ours to close) or the caller's own client."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            [Problem("dask", "Dask is not installed: pip install 'zhucun[dask]'")]
        ) from None
    if isinstance(target, Client):
        return target, False
    if hasattr(target, "scheduler_address"):  # a LocalCluster or another cluster object
        target = target.scheduler_address
    try:
        return Client(str(target), timeout=CONNECT_TIMEOUT, set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            [Problem("dask", f"cannot reach a Dask scheduler there ({exc})", value=str(target))]
        ) from None


def solve_on_dask(jobs: list[Job], target: Any, done: Callable[[Solved], None]) -> None:
    """Submit every job, hand each result to ``done`` as it arrives; errors on a worker are
    raised here."""
    from distributed import as_completed

    client, own = connect(target)
    try:
        tag = uuid.uuid4().hex[:8]
        futures = [
            client.submit(solve_job, job, key=f"zhucun-{tag}-{i}-{job.name}", pure=False)
            for i, job in enumerate(jobs)
        ]
        for fut in as_completed(futures, loop=client.loop):
            done(fut.result())
    finally:
        if own:
            client.close()
