"""Applying data edits to a dataset in memory (the input files are never touched).

Each edit is deterministic: random choices rank ids by a seeded hash, so dropping 10 % keeps
a superset of dropping 20 %, whatever the row order.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data import schema as s
from optimizer.data.domain import Cadre, Dataset, Recall, Unit
from optimizer.data.errors import InputError, Problem
from optimizer.data.loading import load_dataset
from optimizer.rules.eligibility import rule_H_INCUMBENT
from optimizer.whatif.edit_checks import FIELDS_FOR, normalise_params
from optimizer.whatif.filters import Ctx, Test, compile_where


def _rank_key(seed: int, ident: str) -> str:
    """Seeded, order-free ranking: the same ids keep the same order whatever else changes."""
    return hashlib.sha256(f"{seed}:{ident}".encode()).hexdigest()


def _flags(v: Any) -> set[str]:
    return {s.CATEGORY.lookup(str(x)) for x in (v if isinstance(v, list) else [v])}  # type: ignore[misc]


def _copy(ds: Dataset) -> Dataset:
    return Dataset(
        dict(ds.units),
        dict(ds.cadres),
        dict(ds.villages),
        list(ds.adjacency),
        ds.adjacency_given,
        list(ds.history),
        list(ds.pins),
        list(ds.recall),
        ds.source,
        dict(ds.file_hashes),
    )


def apply_edits(
    ds: Dataset, edits: Iterable[dict[str, Any]], plan_date: date, file: str = "scenario"
) -> tuple[Dataset, list[str]]:
    """A new dataset with the edits applied in order, and one line per edit saying what it did.

    The base dataset is not modified. Raises :class:`InputError` for edits the data refuses
    (unknown ids, a village left without a category, a clash with an added unit)."""
    ds = _copy(ds)
    effects: list[str] = []
    problems: list[Problem] = []
    for i, item in enumerate(edits):
        ((kind, params),) = item.items()
        params = normalise_params(kind, params)
        key = f"edits[{i}].{kind}"
        ctx = Ctx(ds, plan_date)
        before = len(problems)
        test = None
        if "where" in params:
            test = compile_where(
                params["where"], FIELDS_FOR.get(kind, {}), f"{key}.where", file, problems
            )
        if len(problems) > before:
            continue
        text = _EDIT_FUNCS[kind](ds, ctx, params, test, key, file, problems)
        effects.append(f"edit {i + 1} {kind}: {text}")
    if problems:
        raise InputError(problems)
    return ds, effects


def _select(
    pool: dict[str, Any],
    params: dict[str, Any],
    test: Test | None,
    ctx: Ctx,
    key: str,
    file: str,
    problems: list[Problem],
    what: str,
) -> list[str]:
    if "ids" in params:
        ids = [str(x) for x in params["ids"]]
        unknown = [x for x in ids if x not in pool]
        for x in unknown:
            problems.append(
                Problem(file, f"unknown {what} id: not in the dataset", key=f"{key}.ids", value=x)
            )
        return [x for x in dict.fromkeys(ids) if x in pool]
    assert test is not None
    return [k for k, rec in pool.items() if test(rec, ctx)]


def _candidates(ds: Dataset, day: date) -> set[str]:
    """Cadres who could take a new posting: available, not serving, not recalled."""
    busy = {p.cadre_id for p in rule_H_INCUMBENT(ds, day)} | {r.cadre_id for r in ds.recall}
    return {cid for cid, c in ds.cadres.items() if c.available and cid not in busy}


def _mark_unavailable(ds: Dataset, ids: Iterable[str]) -> int:
    n = 0
    for cid in ids:
        c = ds.cadres[cid]
        if c.available:
            ds.cadres[cid] = dataclasses.replace(c, available=False)
            n += 1
    return n


def _recall(ds: Dataset, day: date, ids: set[str], reason: str) -> int:
    serving = {p.cadre_id for p in rule_H_INCUMBENT(ds, day)}
    new = [cid for cid in ds.cadres if cid in ids and cid in serving]
    ds.recall.extend(Recall(cid, reason) for cid in new)
    return len(new)


def _withdraw(ds: Dataset, day: date, ids: list[str]) -> str:
    """Mark candidates unavailable (E-AVAIL); serving incumbents are not re-judged and stay."""
    serving = {p.cadre_id for p in rule_H_INCUMBENT(ds, day)}
    n = _mark_unavailable(ds, [c for c in ids if c not in serving])
    kept = sum(c in serving for c in ids)
    return f"{n} candidates marked unavailable (E-AVAIL), {kept} serving incumbents stay"


def _edit_exclude(ds, ctx, params, test, key, file, problems) -> str:
    ids = _select(ds.cadres, params, test, ctx, key, file, problems, "cadre")
    return f"{len(ids)} cadres match; {_withdraw(ds, ctx.day, ids)}"


def _edit_drop_units(ds, ctx, params, test, key, file, problems) -> str:
    units = set(_select(ds.units, params, test, ctx, key, file, problems, "unit"))
    cadres = [cid for cid, c in ds.cadres.items() if c.unit_id in units]
    text = f"{len(units)} units send no new cadre"
    if params.get("recall_incumbents"):
        k = _recall(ds, ctx.day, set(cadres), "scenario: unit dropped")
        text += f"; {k} serving incumbents recalled"
    return f"{text}; {_withdraw(ds, ctx.day, cadres)}"


def _edit_recall(ds, ctx, params, test, key, file, problems) -> str:
    ids = set(_select(ds.cadres, params, test, ctx, key, file, problems, "cadre"))
    k = _recall(ds, ctx.day, ids, params.get("reason", "scenario"))
    return f"{len(ids)} cadres match; {k} serving incumbents recalled"


def _edit_reclassify(ds, ctx, params, test, key, file, problems) -> str:
    ids = _select(ds.villages, params, test, ctx, key, file, problems, "village")
    if "share" in params:
        seed = params.get("seed", 0)
        k = round(len(ids) * params["share"])
        order = {vid: n for n, vid in enumerate(ds.villages)}
        ids = sorted(sorted(ids, key=lambda v: _rank_key(seed, v))[:k], key=order.__getitem__)
    changed = 0
    for vid in ids:
        v = ds.villages[vid]
        cats = set(v.categories)
        if "set" in params:
            cats = _flags(params["set"])
        cats |= _flags(params["add"]) if "add" in params else set()
        cats -= _flags(params["remove"]) if "remove" in params else set()
        if not cats:
            problems.append(Problem(file, f"leaves village {vid} with no category", key=key))
            continue
        if cats != v.categories:
            ds.villages[vid] = dataclasses.replace(v, categories=frozenset(cats))
            changed += 1
    return f"{len(ids)} villages selected, {changed} reclassified"


def _edit_scale(ds, ctx, params, test, key, file, problems) -> str:
    seed, factor = params.get("seed", 0), params["factor"]
    free = _candidates(ds, ctx.day)
    pool = [cid for cid, c in ds.cadres.items() if cid in free and (test is None or test(c, ctx))]
    ranked = sorted(pool, key=lambda c: _rank_key(seed, c))
    if factor <= 1:
        keep = round(len(pool) * factor)
        n = _mark_unavailable(ds, ranked[keep:])
        return f"{len(pool)} candidates in the pool; {n} marked unavailable, {keep} remain"
    extra = round(len(pool) * (factor - 1))
    for j in range(extra):
        src = ds.cadres[ranked[j % len(ranked)]]
        new_id = f"{src.cadre_id}-copy{j // len(ranked) + 1}"
        if new_id in ds.cadres:
            problems.append(Problem(file, f"clone id {new_id} already exists", key=key))
            continue
        ds.cadres[new_id] = dataclasses.replace(src, cadre_id=new_id)
    return f"{len(pool)} candidates in the pool; {extra} look-alike candidates added (id -copyN)"


def _edit_add_units(ds, ctx, params, test, key, file, problems) -> str:
    units, cadres = read_additions(Path(params["path"]), problems)
    n_before = len(problems)
    for u in units:
        if u.unit_id in ds.units:
            problems.append(
                Problem(
                    file,
                    f"adds unit {u.unit_id}, which is already in the dataset",
                    key=f"{key}.path",
                )
            )
    for c in cadres:
        if c.cadre_id in ds.cadres:
            problems.append(
                Problem(
                    file,
                    f"adds cadre {c.cadre_id}, which is already in the dataset",
                    key=f"{key}.path",
                )
            )
    if len(problems) == n_before:
        ds.units.update((u.unit_id, u) for u in units)
        ds.cadres.update((c.cadre_id, c) for c in cadres)
    return f"{len(units)} units with {len(cadres)} cadres added from {params['path']}"


_EDIT_FUNCS = {
    "exclude_cadres": _edit_exclude,
    "drop_units": _edit_drop_units,
    "add_units": _edit_add_units,
    "reclassify_villages": _edit_reclassify,
    "scale_candidates": _edit_scale,
    "recall_cadres": _edit_recall,
}


def read_additions(folder: Path, problems: list[Problem]) -> tuple[list[Unit], list[Cadre]]:
    """New units and their candidates from ``units.csv`` and ``cadres.csv`` (Chinese names too).

    Validated by the dataset loader itself (a one-village stub stands in for the villages
    table), so every message names the user's file, row and column. The cadres must belong to
    the added units; coordinates are x/y km in the base dataset's grid."""

    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        for table in (s.UNITS, s.CADRES):
            if path.suffix.lower() == ".csv" and path.stem.strip().lower() in s.table_names(table):
                found[table.name] = path
    for table in (s.UNITS, s.CADRES):
        if table.name not in found:
            problems.append(
                Problem(str(folder), f"missing {table.name}.csv ({table.zh}.csv) for add_units")
            )
    if len(found) < 2:
        return [], []
    header = found["units"].read_bytes().split(b"\n", 1)[0].decode("utf-8-sig", "replace").lower()
    if ("lon" in header or "经度" in header) and not re.search(
        r"(^|,)\s*(x|x坐标)\s*(,|$)", header
    ):
        problems.append(
            Problem(
                str(found["units"]),
                "give x, y (km, in the base dataset's grid) for added units, not lon/lat",
            )
        )
        return [], []
    with tempfile.TemporaryDirectory(prefix="zhucun-add-") as tmp:
        t = Path(tmp)
        (t / "units.csv").write_bytes(found["units"].read_bytes())
        (t / "cadres.csv").write_bytes(found["cadres"].read_bytes())
        (t / "villages.csv").write_text(
            "village_id,name,county,categories\nstub,stub,0,key\n", encoding="utf-8"
        )
        try:
            extra = load_dataset(t)
        except InputError as exc:
            names = {"units.csv": found["units"], "cadres.csv": found["cadres"]}
            problems.extend(
                dataclasses.replace(p, file=str(names.get(p.file, folder))) for p in exc.problems
            )
            return [], []
    return list(extra.units.values()), list(extra.cadres.values())
