"""The repaired plan's tables against the base plan: rows the base plan had are kept to the
byte, and every difference is one row of ``changes.csv``."""

from __future__ import annotations

from datetime import date

import pandas as pd

from optimizer.data.domain import Dataset
from optimizer.data.parsing import parse_date
from optimizer.plans.build import PLAN_COLUMNS, add_years
from optimizer.terms.recall import BasePlan

CHANGE_COLUMNS = [
    "kind",
    "village_id",
    "cadre_id",
    "cadre_name",
    "unit_id",
    "old_village_id",
    "old_role",
    "old_start",
    "new_village_id",
    "new_role",
    "new_start",
    "new_end",
    "reason",
]
_RANK = {"removed": 0, "role": 1, "moved": 2, "added": 3}


def patch_rows(
    fresh: pd.DataFrame, base: BasePlan, lost: dict[str, dict[str, str]], day: date, term: int
) -> pd.DataFrame:
    """The repaired plan's rows: a posting the base plan had is its row, unchanged to the
    byte; a new one starts on the repair date and ends with the team it joins."""
    orig = {(r["cadre_id"], r["village_id"], r["role"], r["status"]): r for r in base.rows}
    team_end: dict[str, str] = {}
    for r in lost.values():
        if r["end"] and parse_date(r["end"]) > day:
            team_end.setdefault(r["village_id"], r["end"])
    default_end = add_years(day, term).isoformat()
    rows = []
    for rec in fresh.to_dict("records"):
        key = (rec["cadre_id"], rec["village_id"], rec["role"], rec["status"])
        if key in orig:
            rows.append(dict(orig[key]))
            continue
        rec = {k: str(v) for k, v in rec.items()}
        if rec["status"] == "new":
            rec["start"] = day.isoformat()
            rec["end"] = team_end.get(rec["village_id"], default_end)
        rows.append(rec)
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def _change(
    ds: Dataset, kind: str, cid: str, o: dict | None, n: dict | None, reason: str
) -> dict[str, str]:
    """One row of ``changes.csv``: the cadre's old posting ``o`` and new one ``n``."""
    src = n or o
    return {
        "kind": kind,
        "village_id": src["village_id"],  # type: ignore[index]
        "cadre_id": cid,
        "cadre_name": ds.cadres[cid].name,
        "unit_id": src["unit_id"],  # type: ignore[index]
        "old_village_id": o["village_id"] if o else "",
        "old_role": o["role"] if o else "",
        "old_start": o["start"] if o else "",
        "new_village_id": n["village_id"] if n else "",
        "new_role": n["role"] if n else "",
        "new_start": n["start"] if n else "",
        "new_end": n["end"] if n else "",
        "reason": reason,
    }


def changes(
    base: BasePlan, plan: pd.DataFrame, reasons: dict[str, str], ds: Dataset, mode: str
) -> pd.DataFrame:
    """One row per difference: removed, added, role (same village, other role), moved."""
    old = {r["cadre_id"]: r for r in base.rows}
    new = {r["cadre_id"]: r for r in plan.to_dict("records")}
    gone: dict[str, list[str]] = {}
    for cid, r in old.items():
        if cid not in new or new[cid]["village_id"] != r["village_id"]:
            gone.setdefault(r["village_id"], []).append(f"{cid} ({r['role']})")
    out = []
    why = "wider change: a better plan overall" if mode == "wide" else ""
    for cid, o in old.items():
        n = new.get(cid)
        if n is None:
            out.append(_change(ds, "removed", cid, o, None, reasons.get(cid, why)))
        elif n["village_id"] != o["village_id"]:
            out.append(_change(ds, "moved", cid, o, n, why or "moved"))
        elif n["role"] != o["role"]:
            left = "; ".join(gone.get(n["village_id"], []))
            reason = f"{o['role']} → {n['role']}" + (f", replaces {left}" if left else "")
            out.append(_change(ds, "role", cid, o, n, reason))
    for cid, n in new.items():
        if cid not in old:
            left = "; ".join(gone.get(n["village_id"], []))
            reason = f"replaces {left}" if left else (why or "joins the team")
            out.append(_change(ds, "added", cid, None, n, reason))
    order = {vid: i for i, vid in enumerate(ds.villages)}
    out.sort(key=lambda r: (order.get(r["village_id"], 0), _RANK[r["kind"]], r["cadre_id"]))
    return pd.DataFrame(out, columns=CHANGE_COLUMNS)


def keep_unchanged(
    fresh: pd.DataFrame, base_rows: list[dict[str, str]], changed: set[str]
) -> pd.DataFrame:
    """Unstaffed rows of villages the repair did not touch stay as the base plan wrote them."""
    orig = {r["village_id"]: r for r in base_rows}
    rows = []
    for rec in fresh.to_dict("records"):
        vid = rec["village_id"]
        keep = vid not in changed and vid in orig
        rows.append(dict(orig[vid]) if keep else {k: str(v) for k, v in rec.items()})
    return pd.DataFrame(rows, columns=list(fresh.columns))


__all__ = ["CHANGE_COLUMNS", "changes", "keep_unchanged", "patch_rows"]
