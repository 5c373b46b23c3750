"""The desk's job store: datasets, solves and pending pins in one SQLite file in the workdir.

It outlives the server: a solve that was running when the server stopped is marked
``interrupted`` on the next start (its best plan kept if one was written)."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from optimizer.web.security import new_id, private_dir, private_write

SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, kind TEXT NOT NULL, created REAL NOT NULL,
    parent TEXT
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, dataset_id TEXT NOT NULL, label TEXT NOT NULL, status TEXT NOT NULL,
    preset TEXT NOT NULL, overrides TEXT NOT NULL, plan_date TEXT NOT NULL,
    time_limit REAL NOT NULL, base_job TEXT, created REAL NOT NULL, started REAL,
    finished REAL, pid INTEGER, posts_filled INTEGER, posts_required INTEGER, gap REAL,
    elapsed REAL, message TEXT NOT NULL DEFAULT '', exit_code INTEGER, has_plan INTEGER
    NOT NULL DEFAULT 0, accepted INTEGER NOT NULL DEFAULT 0, mode TEXT NOT NULL DEFAULT 'solve',
    place TEXT NOT NULL DEFAULT 'local'
);
CREATE TABLE IF NOT EXISTS pins (
    job_id TEXT NOT NULL, cadre_id TEXT NOT NULL, village_id TEXT NOT NULL, kind TEXT NOT NULL,
    PRIMARY KEY (job_id, cadre_id, village_id)
);
"""

ACTIVE = ("queued", "running")


@dataclass
class Job:
    id: str
    dataset_id: str
    label: str
    status: str
    preset: str
    overrides: str
    plan_date: str
    time_limit: float
    base_job: str | None
    created: float
    started: float | None
    finished: float | None
    pid: int | None
    posts_filled: int | None
    posts_required: int | None
    gap: float | None
    elapsed: float | None
    message: str
    exit_code: int | None
    has_plan: int
    accepted: int
    mode: str = "solve"
    """``solve`` (a whole plan, ties broken toward ``base_job``) or ``replan`` (recall repair
    of ``base_job``: only the damaged teams change)."""
    place: str = "local"
    """Where it runs: ``local`` (a child process here) or ``cluster`` (the Dask cluster)."""


@dataclass
class DatasetRow:
    id: str
    label: str
    kind: str
    created: float
    parent: str | None


class Store:
    """Thread-safe access to the SQLite file (one connection, one lock: the desk is small)."""

    def __init__(self, workdir: Path):
        self.workdir = private_dir(Path(workdir))
        path = self.workdir / "desk.db"
        if not path.exists():
            private_write(path, b"")  # SQLite's journal takes the database file's mode
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(SCHEMA)
        columns = {r["name"] for r in self._db.execute("PRAGMA table_info(jobs)")}
        if "place" not in columns:  # a job store from before cluster solves
            self._db.execute("ALTER TABLE jobs ADD COLUMN place TEXT NOT NULL DEFAULT 'local'")

    def folder(self, kind: str, ident: str) -> Path:
        """Where a dataset, job or upload keeps its files (ids only, never user text)."""
        return private_dir(self.workdir / kind / ident)

    def _run(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # ------------------------------------------------------------------ datasets
    def add_dataset(self, label: str, kind: str, parent: str | None = None) -> str:
        ident = new_id()
        self._run(
            "INSERT INTO datasets VALUES (?, ?, ?, ?, ?)", (ident, label, kind, time.time(), parent)
        )
        return ident

    def dataset(self, ident: str) -> DatasetRow | None:
        rows = self._run("SELECT * FROM datasets WHERE id = ?", (ident,))
        return DatasetRow(**dict(rows[0])) if rows else None

    def datasets(self) -> list[DatasetRow]:
        rows = self._run("SELECT * FROM datasets WHERE parent IS NULL ORDER BY created DESC")
        return [DatasetRow(**dict(r)) for r in rows]

    # ------------------------------------------------------------------ jobs
    def add_job(
        self,
        dataset_id: str,
        label: str,
        preset: str,
        overrides: str,
        plan_date: str,
        time_limit: float,
        base_job: str | None = None,
        mode: str = "solve",
        ident: str | None = None,
        place: str = "local",
    ) -> str:
        ident = ident or new_id()
        self._run(
            "INSERT INTO jobs (id, dataset_id, label, status, preset, overrides, plan_date, "
            "time_limit, base_job, created, mode, place) "
            "VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ident,
                dataset_id,
                label,
                preset,
                overrides,
                plan_date,
                time_limit,
                base_job,
                time.time(),
                mode,
                place,
            ),
        )
        return ident

    def job(self, ident: str) -> Job | None:
        rows = self._run("SELECT * FROM jobs WHERE id = ?", (ident,))
        return _job(rows[0]) if rows else None

    def jobs(self, status: tuple[str, ...] | None = None) -> list[Job]:
        if status:
            marks = ",".join("?" * len(status))
            rows = self._run(
                f"SELECT * FROM jobs WHERE status IN ({marks}) ORDER BY created", status
            )
        else:
            rows = self._run("SELECT * FROM jobs ORDER BY created DESC")
        return [_job(r) for r in rows]

    def update(self, ident: str, **values: Any) -> None:
        known = {f.name for f in fields(Job)}
        cols = [k for k in values if k in known and k != "id"]
        if not cols:
            return
        sets = ", ".join(f"{c} = ?" for c in cols)
        self._run(f"UPDATE jobs SET {sets} WHERE id = ?", (*[values[c] for c in cols], ident))

    def claim_next(self, place: str = "local") -> Job | None:
        """The oldest queued job to run at ``place``, marked running in the same step (no two
        workers take it)."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM jobs WHERE status = 'queued' AND place = ? ORDER BY created LIMIT 1",
                (place,),
            ).fetchone()
            if row is None:
                return None
            self._db.execute(
                "UPDATE jobs SET status = 'running', started = ? WHERE id = ?",
                (time.time(), row["id"]),
            )
        job = _job(row)
        job.status = "running"
        return job

    def relocate(self, old: str, new: str) -> None:
        """Queued jobs placed at ``old`` run at ``new`` instead."""
        self._run("UPDATE jobs SET place = ? WHERE status = 'queued' AND place = ?", (new, old))

    def recover(self) -> list[str]:
        """At start: solves the last server left running are marked interrupted."""
        gone = [j.id for j in self.jobs(("running",))]
        for ident in gone:
            plan = (self.workdir / "jobs" / ident / "plan" / "plan.csv").is_file()
            self.update(
                ident,
                status="interrupted",
                pid=None,
                has_plan=int(plan),
                message="服务停止时求解仍在进行，已标记为中断"
                + ("（保留了当时的最优方案）" if plan else ""),
            )
        return gone

    # ------------------------------------------------------------------ pins
    def set_pin(self, job_id: str, cadre_id: str, village_id: str, kind: str) -> None:
        self._run(
            "INSERT OR REPLACE INTO pins VALUES (?, ?, ?, ?)", (job_id, cadre_id, village_id, kind)
        )

    def drop_pins(self, job_id: str) -> None:
        self._run("DELETE FROM pins WHERE job_id = ?", (job_id,))

    def pins(self, job_id: str) -> list[dict[str, str]]:
        rows = self._run(
            "SELECT cadre_id, village_id, kind FROM pins WHERE job_id = ? ORDER BY cadre_id",
            (job_id,),
        )
        return [dict(r) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _job(row: sqlite3.Row) -> Job:
    return Job(**dict(row))
