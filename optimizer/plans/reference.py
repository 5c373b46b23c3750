"""A reference plan: ties between equally good plans are broken toward it.

A what-if compared with its baseline should differ by the effect of the change and nothing
else. Many plans share the optimal coverage and soft objective; which one the solver returns
is arbitrary, so without a reference a small change reshuffles people who have nothing to do
with it. With one, after the lexicographic solve a last stage holds coverage per class and the
soft objective at the values found and maximises agreement with the reference (the same unit
leading the same village, the same number of its members there, the same people in the same
roles), and the people stage prefers the reference's (cadre, village, role) among seats of
equal score. Neither can give up a point of the objective.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from optimizer.data import schema
from optimizer.data.errors import InputError, Problem
from optimizer.plans.formulas import read_output_csv

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from optimizer.model.master import PlanModel

LEAD, SEAT, PERSON = 4, 2, 1
"""Agreement points: same unit leads the village, same unit's member seat, same person in the
same role (the people stage then seats them in the same village where it can)."""


@dataclass(frozen=True)
class Reference:
    """The postings of a reference plan: (cadre, village, role)."""

    postings: frozenset[tuple[str, str, str]]
    source: str = ""
    minimal_change: bool = False
    """False: ties only (coverage, then points, then closeness). True: a minimal-change
    re-solve — coverage per class first, then as few changed postings as possible, then
    points (:mod:`optimizer.model.change`)."""


def reference_from_frame(frame: pd.DataFrame, source: str = "") -> Reference:
    """From a plan table (``plan.csv`` columns cadre_id, village_id, role)."""
    posts = set()
    for r in frame.to_dict("records"):
        role = schema.ROLE.lookup(str(r["role"]).strip())
        if role is None:
            continue
        posts.add((str(r["cadre_id"]), str(r["village_id"]), role))
    return Reference(frozenset(posts), source)


def read_reference(folder: str | Path) -> Reference:
    """The plan folder's ``plan.csv`` as a reference; a missing folder or file is bad input."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            [
                Problem(
                    str(folder),
                    "no such plan folder for the reference plan "
                    "(expected a `solve` --out or a run folder)",
                )
            ]
        )
    problems: list[Problem] = []
    frame = read_output_csv(folder / "plan.csv", ["village_id", "cadre_id", "role"], problems)
    if frame is None:
        raise InputError(problems)
    return reference_from_frame(frame, str(folder.resolve()))


def agreement(pm: PlanModel, ref: Reference) -> tuple[cp_model.LinearExprT | None, list]:
    """The master model's agreement with the reference (None: nothing to agree on), and the
    variables it adds as (variable, members variable it is capped by, cap) for hinting."""
    inst, m = pm.inst, pm.m
    terms: list = []
    members: Counter[tuple[str, str]] = Counter()
    for cid, vid, role in sorted(ref.postings):
        if cid not in inst.ds.cadres:
            continue
        uid = inst.unit_of(cid)
        if role == "secretary" and (uid, vid) in pm.t:
            terms.append(LEAD * pm.t[(uid, vid)])
        elif role == "member":
            members[(uid, vid)] += 1
        person = pm.y.get((cid, vid, role)) if (uid, vid, role) in pm.own else pm.a.get((cid, role))
        if person is not None:
            terms.append(PERSON * person)
    added = []
    for (uid, vid), k in sorted(members.items()):
        n = pm.n.get((uid, vid))
        if n is not None:
            same = m.new_int_var(0, k, f"ref[{uid},{vid}]")
            m.add(same <= n)
            terms.append(SEAT * same)
            added.append((same, n, k))
    return (sum(terms) if terms else None), added


__all__ = ["Reference", "agreement", "read_reference", "reference_from_frame"]
