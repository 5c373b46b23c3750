"""The plan diff of two runs (``zhucun compare``): who moves and which villages change.

Works on any folder holding a plan (``zhucun run`` or ``zhucun solve`` output). The diff is
by person and by village:

- moves (by ``cadre_id``): ``moved`` (village or role changed), ``added`` (posted only in the
  other plan), ``removed`` (posted only in the first);
- villages: ``gains_team``/``loses_team`` (hosts a team, a ``teams.csv`` row, in one plan
  only), ``gains_secretary``/``loses_secretary`` (has a first secretary in one plan only),
  ``secretary_replaced`` (another person), ``resized`` (team size changed),
  ``gains_cover``/``loses_cover`` (covered by a neighbour's cluster team in one plan only).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.whatif.runs import Run, load_runs

MOVE_COLUMNS = [
    "scenario",
    "cadre_id",
    "cadre_name",
    "unit_id",
    "change",
    "village_before",
    "role_before",
    "village_after",
    "role_after",
]
VILLAGE_COLUMNS = [
    "scenario",
    "village_id",
    "village_name",
    "change",
    "secretary_before",
    "secretary_after",
    "size_before",
    "size_after",
    "covered_by_before",
    "covered_by_after",
]
MOVE_ORDER = ("moved", "added", "removed")
VILLAGE_EVENTS = (
    "gains_team",
    "loses_team",
    "gains_secretary",
    "loses_secretary",
    "secretary_replaced",
    "resized",
    "gains_cover",
    "loses_cover",
)


def plan_diff(base: Any, other: Any) -> pd.DataFrame:
    """Who moves from ``base`` to ``other``: one row per cadre whose posting differs."""
    a, b = load_runs(base)[0], load_runs(other)[0]
    before = {r.cadre_id: r for r in a.plan.itertuples(index=False)}
    after = {r.cadre_id: r for r in b.plan.itertuples(index=False)}
    rows = []
    for cid in sorted(before.keys() | after.keys()):
        x, y = before.get(cid), after.get(cid)
        if x is not None and y is not None:
            if (x.village_id, x.role) == (y.village_id, y.role):
                continue
            change = "moved"
        else:
            change = "added" if x is None else "removed"
        who = y if y is not None else x
        rows.append(
            {
                "scenario": b.name,
                "cadre_id": cid,
                "cadre_name": who.cadre_name,
                "unit_id": who.unit_id,
                "change": change,
                "village_before": x.village_id if x is not None else "",
                "role_before": x.role if x is not None else "",
                "village_after": y.village_id if y is not None else "",
                "role_after": y.role if y is not None else "",
            }
        )
    rows.sort(key=lambda r: (MOVE_ORDER.index(r["change"]), r["cadre_id"]))
    return pd.DataFrame(rows, columns=MOVE_COLUMNS)


def _village_state(run: Run) -> dict[str, dict[str, Any]]:
    state: dict[str, dict[str, Any]] = {}
    for t in run.teams.itertuples(index=False):
        state.setdefault(t.host_village_id, {})["size"] = int(t.size)
        for w in filter(None, str(t.covered_village_ids).split(";")):
            state.setdefault(w, {})["covered_by"] = t.team_id
    for r in run.plan.itertuples(index=False):
        st = state.setdefault(r.village_id, {})
        st["name"] = r.village_name
        if r.role == "secretary":
            st["secretary"] = r.cadre_id
    return state


def village_diff(base: Any, other: Any) -> pd.DataFrame:
    """Villages whose team, first secretary, size or cluster cover differ from ``base``."""
    a, b = load_runs(base)[0], load_runs(other)[0]
    sa, sb = _village_state(a), _village_state(b)
    names = {**_names(a), **_names(b)}
    rows = []
    for vid in sorted(sa.keys() | sb.keys()):
        x, y = sa.get(vid, {}), sb.get(vid, {})
        ev = []
        if ("size" in x) != ("size" in y):
            ev.append("gains_team" if "size" in y else "loses_team")
        if ("secretary" in x) != ("secretary" in y):
            ev.append("gains_secretary" if "secretary" in y else "loses_secretary")
        elif x.get("secretary") != y.get("secretary"):
            ev.append("secretary_replaced")
        if "size" in x and "size" in y and x["size"] != y["size"]:
            ev.append("resized")
        if ("covered_by" in x) != ("covered_by" in y):
            ev.append("gains_cover" if "covered_by" in y else "loses_cover")
        if not ev:
            continue
        rows.append(
            {
                "scenario": b.name,
                "village_id": vid,
                "village_name": names.get(vid, ""),
                "change": ";".join(ev),
                "secretary_before": x.get("secretary", ""),
                "secretary_after": y.get("secretary", ""),
                "size_before": x.get("size", 0),
                "size_after": y.get("size", 0),
                "covered_by_before": x.get("covered_by", ""),
                "covered_by_after": y.get("covered_by", ""),
            }
        )
    return pd.DataFrame(rows, columns=VILLAGE_COLUMNS)


def _names(run: Run) -> dict[str, str]:
    names = dict(zip(run.plan.village_id, run.plan.village_name, strict=True))
    if "village_id" in run.unstaffed and "village_name" in run.unstaffed:
        names.update(zip(run.unstaffed.village_id, run.unstaffed.village_name, strict=True))
    return names
