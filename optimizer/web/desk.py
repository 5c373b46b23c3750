"""What every route shares: the store, the worker, and the datasets and policies behind ids."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

import optimizer
from optimizer import Dataset, Policy
from optimizer.web.cluster import Cluster
from optimizer.web.paging import Filters
from optimizer.web.planview import row_texts
from optimizer.web.store import Job, Store
from optimizer.web.worker import Worker


@dataclass
class Settings:
    workdir: Path
    host: str = "127.0.0.1"
    max_upload: int = 50 * 1024 * 1024
    """Bytes per request; a county workbook is well under 5 MB."""
    slots: int | None = None
    start_worker: bool = True
    token_hash: dict[str, str] | None = None
    """Set when the desk listens beyond this machine: every page needs the token."""
    dask: Any = None
    """A Dask scheduler address (or cluster object): solves are queued there, not here."""


@dataclass
class Desk:
    settings: Settings
    store: Store
    worker: Worker
    sessions: set[str] = field(default_factory=set)
    filters: Filters = field(default_factory=Filters)
    """Search words of the list pages, behind random tokens (never in a URL)."""
    _cache: dict[tuple, Dataset] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings) -> Desk:
        store = Store(settings.workdir)
        desk = cls(settings, store, None)  # type: ignore[arg-type]
        cluster = None
        if settings.dask is not None:
            cluster = Cluster(store, desk.dataset_path, settings.dask)
        else:  # queued for a cluster this start does not have: solved here instead
            store.relocate("cluster", "local")
        desk.worker = Worker(store, desk.dataset_path, settings.slots, cluster)
        desk.worker.on_done = desk.warm
        return desk

    def warm(self, job_id: str) -> None:
        """Read a finished plan's workbook and its dataset into the caches, so the first look
        at a province's plan is as quick as the next (measured: 10 s cold, 0.5 s warm)."""
        job = self.store.job(job_id)
        if job is None or not job.has_plan:
            return
        try:
            self.load(job.dataset_id, self.job_date(job))
            row_texts(self.plan_dir(job), "选派名单")
        except Exception:  # a cache only: the page reports any problem itself
            return

    def place(self, mode: str) -> str:
        """Where a new job runs: whole solves on the cluster when there is one."""
        return "cluster" if self.worker.cluster is not None and mode == "solve" else "local"

    def dataset_path(self, dataset_id: str) -> Path:
        """The uploaded workbook or CSV folder of a dataset id."""
        row = self.store.dataset(dataset_id)
        folder = self.store.workdir / "datasets" / dataset_id
        if row is not None and row.kind == "xlsx":
            return folder / "data.xlsx"
        return folder / "csv"

    def load(self, dataset_id: str, day: date | None) -> Dataset:
        """The dataset checked at ``day`` (cached: a county loads in a fraction of a second,
        but the plan page asks for it on every click). Raises InputError as load_dataset does."""
        key = (dataset_id, day)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        ds = optimizer.load_dataset(self.dataset_path(dataset_id), plan_date=day)
        with self._lock:
            if len(self._cache) > 16:
                self._cache.clear()
            self._cache[key] = ds
        return ds

    def job_policy(self, job: Job) -> Policy:
        return optimizer.load_policy(job.preset, json.loads(job.overrides) or None)

    def plan_dir(self, job: Job) -> Path:
        return self.store.workdir / "jobs" / job.id / "plan"

    def job_date(self, job: Job) -> date:
        return date.fromisoformat(job.plan_date)


def policy_yaml(preset: str, overrides: dict[str, Any]) -> bytes:
    """The policy file a solve reads: the preset extended by the form's overrides."""
    doc: dict[str, Any] = {"extends": preset}
    if overrides:
        doc["name"] = f"{preset}（调整）"
    doc.update(overrides)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")
