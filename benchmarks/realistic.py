"""Make a generated dataset realistic, like ``../shared/instances`` (``--realistic``).

The project's generator makes every post fillable under central-2021's shapes. Real data is
harder; this post-processor adds, from one seeded random stream:

* **shortage** of would-be first secretaries in about a quarter of the counties: most party
  members of their county units become non-members (no first secretary from there);
* **mid-term replacements**: about 4 % of villages whose last team has ended get a first
  secretary serving since six months before the plan date, from that team's unit — a current
  team, so it binds the village's lead unit (H-CONTINUITY, T-UNIT);
* **recalls**: about one in eight serving cadres is recalled (their posts fall vacant, their
  unit sends the replacement);
* **must-send units**: a few province units get a staff of 40–45, just at U-PARTICIPATE's
  threshold, so small units must send someone too;
* **require and forbid pins**: require pins place a free, qualified county cadre of the unit
  that keeps a village there as first secretary (kept only where all three presets allow
  it); forbid pins bar random free cadres from villages they could serve.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

PIN_PRESETS = ("central-2021", "hunan-2021", "hebei-2018")
REASONS = ("家庭特殊困难", "工作不胜任", "身体原因", "岗位调整")


def _months_before(day: date, months: int) -> date:
    m = day.year * 12 + day.month - 1 - months
    return date(m // 12, m % 12 + 1, min(day.day, 28))


def make_realistic(
    tables: dict[str, pd.DataFrame], seed: int, day: date
) -> dict[str, pd.DataFrame]:
    """A copy of the generator's tables with the features above; adds ``recall`` and ``pins``."""
    rng = np.random.default_rng(10_000 + seed)
    t = {k: v.copy() for k, v in tables.items()}
    _shortage(t, rng)
    _replacements(t, rng, day)
    _recalls(t, rng, day)
    _must_send(t, rng)
    t["pins"] = _pins(t, rng, day)
    return t


def _in_history(t: dict[str, pd.DataFrame]) -> set[str]:
    return set(t["history"]["cadre_id"])


def _shortage(t: dict[str, pd.DataFrame], rng: np.random.Generator) -> None:
    units, cadres = t["units"], t["cadres"]
    counties = sorted(set(t["villages"]["county"]))
    short = set(rng.choice(counties, size=max(1, len(counties) // 4), replace=False))
    county_units = set(units.unit_id[(units.level == "county") & units.region.isin(short)])
    busy = _in_history(t)
    hit = cadres.unit_id.isin(county_units) & (cadres.political_status == "member")
    hit &= ~cadres.cadre_id.isin(busy) & (rng.random(len(cadres)) < 0.75)
    cadres.loc[hit, "political_status"] = "none"
    cadres.loc[hit, "party_date"] = ""


def _replacements(t: dict[str, pd.DataFrame], rng: np.random.Generator, day: date) -> None:
    h, cadres = t["history"], t["cadres"]
    current = set(h.village_id[h.end == ""])
    ended = h[(h.end != "") & ~h.village_id.isin(current) & (h.role == "secretary")]
    villages = sorted(set(ended.village_id))
    pick = rng.choice(villages, size=max(1, len(villages) // 25), replace=False) if villages else []
    free = cadres[~cadres.cadre_id.isin(_in_history(t)) & (cadres.political_status == "member")]
    by_unit = {u: list(g.cadre_id) for u, g in free.groupby("unit_id")}
    start = _months_before(day, 6).isoformat()
    rows = []
    for vid in pick:
        last = ended[ended.village_id == vid].sort_values("end").iloc[-1]
        people = by_unit.get(last.unit_id)
        if people:
            rows.append(
                {
                    "cadre_id": people.pop(0),
                    "unit_id": last.unit_id,
                    "village_id": vid,
                    "level": last.level,
                    "role": "secretary",
                    "start": start,
                    "end": "",
                }
            )
    t["history"] = pd.concat([h, pd.DataFrame(rows, columns=h.columns)], ignore_index=True)


def _recalls(t: dict[str, pd.DataFrame], rng: np.random.Generator, day: date) -> None:
    h = t["history"]
    serving = sorted(set(h.cadre_id[(h.end == "") & (h.start <= day.isoformat())]))
    n = max(1, len(serving) // 8) if serving else 0
    who = rng.choice(serving, size=n, replace=False) if n else []
    t["recall"] = pd.DataFrame(
        {"cadre_id": list(who), "reason": [REASONS[i % len(REASONS)] for i in range(n)]}
    )


def _must_send(t: dict[str, pd.DataFrame], rng: np.random.Generator) -> None:
    units = t["units"]
    prov = units.index[units.level == "province"]
    k = min(len(prov), max(1, len(prov) // 10))
    for i in rng.choice(prov, size=k, replace=False):
        units.loc[i, "staff"] = 40 + int(rng.integers(0, 6))


def _pins(t: dict[str, pd.DataFrame], rng: np.random.Generator, day: date) -> pd.DataFrame:
    """Require pins every preset allows (checked on the instance), and forbid pins."""
    from optimizer.data.generate import write_dataset
    from optimizer.data.loading import load_dataset
    from optimizer.policy import load_policy
    from optimizer.rules.instance import SEC, build_instance

    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(t, Path(tmp) / "d")
        ds = load_dataset(Path(tmp) / "d")
    insts = [build_instance(ds, load_policy(p), day) for p in PIN_PRESETS]
    base = insts[0]
    want = max(2, len(ds.villages) // 100)
    vids = [
        v for v in base.prev_units if all(v in i.need and v not in i.inc_by_village for i in insts)
    ]
    rng.shuffle(vids)
    rows, used = [], set()
    for vid in vids:
        if len(rows) >= want:
            break
        for uid in sorted(base.prev_units[vid]):
            cands = [
                c
                for c in base.sec_eligible.get(uid, [])
                if c not in used and all(SEC in i.roles(c, vid) for i in insts)
            ]
            if cands:
                used.add(cands[0])
                rows.append(
                    {
                        "cadre_id": cands[0],
                        "village_id": vid,
                        "role": "secretary",
                        "kind": "require",
                    }
                )
                break
    free = [c for u in sorted(base.eligible) for c in base.eligible[u] if c not in used]
    for _ in range(want if free else 0):
        cid = free[int(rng.integers(len(free)))]
        opts = base.options(cid)
        if opts:
            vid = opts[int(rng.integers(len(opts)))][0]
            rows.append({"cadre_id": cid, "village_id": vid, "role": "", "kind": "forbid"})
    return pd.DataFrame(rows, columns=["cadre_id", "village_id", "role", "kind"])
