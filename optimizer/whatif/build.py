"""A scenario made concrete: the edited dataset (and its CSV files) and the merged policy."""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data import schema as s
from optimizer.data.domain import Dataset
from optimizer.data.loading import load_dataset
from optimizer.policy import Policy
from optimizer.whatif.edits import apply_edits
from optimizer.whatif.scenario import Scenario


def _cell(v: Any, vocab: s.Vocab | None = None) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, frozenset | set):
        order = vocab.codes if vocab else sorted(v)
        return ";".join(x for x in order if x in v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ""
    return str(v)


def dataset_tables(ds: Dataset) -> dict[str, bytes]:
    """The dataset as CSV files (canonical English headers and codes) that load back equal."""
    out: dict[str, bytes] = {}

    def table(t: s.Table, records: list[Any], cols: list[str] | None = None) -> None:
        columns = [c for c in t.columns if c.name not in ("lon", "lat")]
        if cols is not None:
            columns = [c for c in columns if c.name in cols]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([c.name for c in columns])
        for r in records:
            w.writerow([_cell(getattr(r, c.name), c.vocab) for c in columns])
        out[f"{t.name}.csv"] = buf.getvalue().encode("utf-8")

    table(s.UNITS, list(ds.units.values()))
    table(s.CADRES, list(ds.cadres.values()))
    table(s.VILLAGES, list(ds.villages.values()))
    if ds.adjacency_given:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["village_a", "village_b"])
        w.writerows(ds.adjacency)
        out["adjacency.csv"] = buf.getvalue().encode("utf-8")
    if ds.history:
        table(s.HISTORY, ds.history)
    if ds.pins:
        table(s.PINS, ds.pins)
    if ds.recall:
        table(s.RECALL, ds.recall)
    return out


def write_dataset_files(files: dict[str, bytes], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


@dataclass
class Prepared:
    """A scenario made concrete: the edited dataset and the policy, ready to ship to a solver.

    Everything here is plain data, so it pickles to a worker process or a Dask worker."""

    scenario: Scenario
    dataset: Dataset
    policy: Policy
    files: dict[str, bytes]
    """The edited dataset as CSV files: what the run folder's ``dataset/`` holds."""
    effects: list[str]


def prepare(
    scenario: Scenario, cache: dict[Path, Dataset] | None = None, source: str = "dataset"
) -> Prepared:
    """Load the base dataset (once per path with ``cache``), apply the edits, load the policy.

    The edited dataset's ``source`` and file hashes describe its CSV files, so the manifest of
    the run names exactly what was solved."""

    path = Path(scenario.dataset)
    cache = {} if cache is None else cache
    if path not in cache:
        cache[path] = load_dataset(path)
    policy = scenario.load_policy()
    ds, effects = apply_edits(
        cache[path],
        scenario.edits,
        scenario.plan_date,  # type: ignore[arg-type]
        scenario.file,
    )
    files = dataset_tables(ds)
    ds.source = source
    ds.file_hashes = {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())}
    return Prepared(scenario, ds, policy, files, effects)
