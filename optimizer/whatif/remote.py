"""One solve on a Dask cluster that can be followed and stopped while it runs.

:func:`solve_on_dask` sends a batch and waits; a desk that queues solves one at a time needs
more: the progress lines as they come, a stop that keeps the best plan, and the plan back
here to be written. :func:`submit_solve` gives a :class:`RemoteSolve` handle for that. The
task runs :func:`watched_solve` on a worker: a named Dask ``Queue`` carries its progress lines
back, a named Dask ``Event`` carries the stop to it, and a watcher thread there turns the
event into the solver's own stop switch, so a stopped solve still returns its best plan.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from optimizer.whatif.dask_runner import connect
from optimizer.whatif.jobs import Job, Solved, solve_job

POLL = 0.5
"""Seconds between the worker's looks at the stop event."""


def watched_solve(job: Job, feed: str, halt: str) -> Solved:
    """Runs on a Dask worker: ``solve_job`` with its progress lines put on the queue ``feed``
    and the event ``halt`` watched as its stop switch."""
    from distributed import Event, Queue, get_client

    client = get_client()
    lines, event = Queue(feed, client=client), Event(halt, client=client)
    stop, done = threading.Event(), threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                if event.wait(timeout=POLL):
                    stop.set()
                    return
            except Exception:  # the scheduler gone: the solve ends on its own clock
                return

    def say(line: str) -> None:
        with contextlib.suppress(Exception):  # progress is a courtesy; the solve goes on
            lines.put(line, timeout=5)

    watcher = threading.Thread(target=watch, name="zhucun-stop", daemon=True)
    watcher.start()
    try:
        return solve_job(job, say, stop)
    finally:
        done.set()


@dataclass
class RemoteSolve:
    """A solve submitted to a cluster: its progress, its stop switch and its result."""

    client: Any
    future: Any
    feed: Any
    halt: Any
    own: bool

    def lines(self) -> list[str]:
        """Progress lines that arrived since the last call."""
        out: list[str] = []
        try:
            while self.feed.qsize() > 0:
                out.append(self.feed.get(timeout=1))
        except Exception:  # the cluster went away: the result will say so
            pass
        return out

    def stop(self) -> None:
        """Ask the solve to stop; it returns its best plan so far."""
        self.halt.set()

    def cancel(self) -> None:
        """Drop the task outright (no plan comes back)."""
        self.future.cancel()

    def done(self) -> bool:
        return self.future.done()

    def result(self, timeout: float | None = None) -> Solved:
        """The solve's result; a worker's error is raised here."""
        return self.future.result(timeout=timeout)

    def close(self) -> None:
        """Release the queue and event on the scheduler (and the client, if ours)."""
        for release in (self.feed.close, self.halt.clear):
            with contextlib.suppress(Exception):  # the scheduler may be gone
                release()
        if self.own:
            self.client.close()


def submit_solve(target: Any, job: Job) -> RemoteSolve:
    """Send ``job`` to the cluster at ``target`` (a scheduler address, a cluster object or a
    ``distributed.Client``). Raises :class:`~optimizer.data.errors.InputError` when there is no
    Dask or no scheduler there."""
    from distributed import Event, Queue

    client, own = connect(target)
    tag = uuid.uuid4().hex[:12]
    feed, halt = f"zhucun-feed-{tag}", f"zhucun-stop-{tag}"
    queue, event = Queue(feed, client=client), Event(halt, client=client)
    future = client.submit(
        watched_solve, job, feed, halt, key=f"zhucun-{tag}-{job.name}", pure=False
    )
    return RemoteSolve(client, future, queue, event, own)


__all__ = ["RemoteSolve", "submit_solve", "watched_solve"]
