"""A read-only view of the plan being verified: its rows, the dataset, the policy and the date,
with every index the checks share (who serves where today, the team of each host, the villages
each team covers, …) derived once, on first use. Checks read it and never change it, so they
can run in any order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from optimizer.data import schema as s
from optimizer.data.domain import Cadre, Dataset, Posting, Unit, Village
from optimizer.policy import Policy
from optimizer.verify.need import Need, city_of, need
from optimizer.verify.planfiles import PlanRow, ShortRow, TeamRow
from optimizer.verify.words import LEVEL_ZH


@dataclass(frozen=True)
class NewPosting:
    """A new plan row whose cadre and the cadre's own unit are known and not recalled: the
    rows the per-posting rules judge."""

    row: PlanRow
    cadre: Cadre
    own: Unit
    """The cadre's own unit (eligibility); ``unit`` is the one the row names."""
    village: Village | None
    unit: Unit | None


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class PlanView:
    """The plan and what it is judged against; the derived indexes below are computed once,
    when a check first asks."""

    ds: Dataset
    pol: Policy
    day: date
    rows: tuple[PlanRow, ...]
    teams: tuple[TeamRow, ...]
    shorts: tuple[ShortRow, ...]

    # ------------------------------------------------------------------ the dataset at the date
    @cached_property
    def need(self) -> dict[str, Need | None]:
        return {vid: need(v, self.pol) for vid, v in self.ds.villages.items()}

    @cached_property
    def recalled(self) -> frozenset[str]:
        return frozenset(r.cadre_id for r in self.ds.recall)

    @cached_property
    def current(self) -> tuple[Posting, ...]:
        """History postings in force at the plan date."""
        day = self.day
        return tuple(
            p for p in self.ds.history if p.start <= day and (p.end is None or p.end > day)
        )

    @cached_property
    def busy(self) -> frozenset[str]:
        return frozenset(p.cadre_id for p in self.current) | self.recalled

    @cached_property
    def kept(self) -> tuple[Posting, ...]:
        """Current postings that must stay: not recalled, and the cadre still on the rolls (a
        departed cadre leaves the post vacant)."""
        return tuple(
            p
            for p in self.current
            if p.cadre_id not in self.recalled and p.cadre_id in self.ds.cadres
        )

    @cached_property
    def kept_at(self) -> frozenset[str]:
        return frozenset(p.village_id for p in self.kept)

    @cached_property
    def prev_rows(self) -> dict[str, list[Posting]]:
        """The previous period per village: its ended rows with the latest end date."""
        last: dict[str, date] = {}
        for p in self.ds.history:
            if (
                p.end is not None
                and p.end <= self.day
                and (p.village_id not in last or p.end > last[p.village_id])
            ):
                last[p.village_id] = p.end
        out: dict[str, list[Posting]] = defaultdict(list)
        for p in self.ds.history:
            if p.end is not None and p.village_id in last and p.end == last[p.village_id]:
                out[p.village_id].append(p)
        return dict(out)

    @cached_property
    def keep_rows(self) -> dict[str, list[Posting]]:
        """The team a village keeps (H-CONTINUITY): its current rows, recalled or not (the
        recalled cadre's unit sends the replacement); the previous period only without one."""
        out: dict[str, list[Posting]] = defaultdict(list)
        for p in self.current:
            out[p.village_id].append(p)
        for vid, rows in self.prev_rows.items():
            if vid not in out:
                out[vid] = rows
        return dict(out)

    @cached_property
    def served(self) -> dict[str, list[Posting]]:
        """Every history posting per cadre."""
        out: dict[str, list[Posting]] = defaultdict(list)
        for p in self.ds.history:
            out[p.cadre_id].append(p)
        return dict(out)

    @cached_property
    def term_end(self) -> date:
        return add_years(self.day, self.pol.term_years)

    @cached_property
    def adjacency_pairs(self) -> frozenset[tuple[str, ...]]:
        return frozenset(tuple(sorted(p)) for p in self.ds.adjacency)

    # ------------------------------------------------------------------ the plan's indexes
    @cached_property
    def by_village(self) -> dict[str, list[PlanRow]]:
        """Rows whose village is in the dataset, per village."""
        out: dict[str, list[PlanRow]] = defaultdict(list)
        for r in self.rows:
            if r.village_id in self.ds.villages:
                out[r.village_id].append(r)
        return dict(out)

    @cached_property
    def by_cadre(self) -> dict[str, list[PlanRow]]:
        out: dict[str, list[PlanRow]] = defaultdict(list)
        for r in self.rows:
            out[r.cadre_id].append(r)
        return dict(out)

    @cached_property
    def short_of(self) -> dict[str, list[ShortRow]]:
        """unstaffed.csv rows per village."""
        out: dict[str, list[ShortRow]] = defaultdict(list)
        for sh in self.shorts:
            out[sh.village_id].append(sh)
        return dict(out)

    @cached_property
    def teams_at(self) -> dict[str, list[TeamRow]]:
        """teams.csv rows per host village, known or not."""
        out: dict[str, list[TeamRow]] = defaultdict(list)
        for t in self.teams:
            out[t.host].append(t)
        return dict(out)

    @cached_property
    def team_of(self) -> dict[str, TeamRow]:
        """The (first) team of each host village in the dataset."""
        return {host: ts[0] for host, ts in self.teams_at.items() if host in self.ds.villages}

    @cached_property
    def covered_by(self) -> dict[str, list[str]]:
        """Hosts whose team covers each village of the dataset (C-CLUSTER)."""
        out: dict[str, list[str]] = defaultdict(list)
        for host, ts in self.teams_at.items():
            if host not in self.ds.villages:
                continue
            for t in ts:
                for w in t.covered:
                    if w in self.ds.villages:
                        out[w].append(host)
        return dict(out)

    @cached_property
    def new_postings(self) -> tuple[NewPosting, ...]:
        ds, out = self.ds, []
        for r in self.rows:
            if r.status != "new" or r.cadre_id in self.recalled:
                continue
            c = ds.cadres.get(r.cadre_id)
            own = ds.units.get(c.unit_id) if c is not None else None
            if c is not None and own is not None:
                out.append(
                    NewPosting(r, c, own, ds.villages.get(r.village_id), ds.units.get(r.unit_id))
                )
        return tuple(out)

    @cached_property
    def memo(self) -> dict[str, object]:
        """Results several checks share (the preference checks' exchanges), kept with the
        view they were derived from."""
        return {}

    # ------------------------------------------------------------------ questions
    def missing_posts(self, vid: str, need: Need) -> int:
        """Required posts not filled: the minimum less the people there, and the first
        secretary's post whenever people serve without one (SPEC §3: it is a post of its own)."""
        rs = self.by_village.get(vid, [])
        no_sec = bool(rs) and not any(r.role == "secretary" for r in rs)
        return max(need.min - len(rs), 1 if no_sec else 0)

    def listed_ok(self, vid: str, missing: int) -> bool:
        """unstaffed.csv lists the village with exactly this shortfall."""
        return any(sh.posts_missing == missing for sh in self.short_of.get(vid, []))

    def region_allows(self, u: Unit, v: Village) -> bool:
        if u.level == "province":
            return True
        if u.level == "city":
            return u.region is not None and u.region == city_of(v)
        return u.region is not None and u.region == v.county

    # ------------------------------------------------------------------ names in messages
    def vname(self, vid: str) -> str:
        v = self.ds.villages.get(vid)
        return f"{vid} ({v.name})" if v else vid

    def cname(self, cid: str) -> str:
        c = self.ds.cadres.get(cid)
        return f"{cid} ({c.name})" if c else cid

    def uname(self, uid: str) -> str:
        u = self.ds.units.get(uid)
        return f"{uid} ({u.name}, {u.level})" if u else uid

    def uname_zh(self, uid: str) -> str:
        u = self.ds.units.get(uid)
        return f"{uid}（{u.name}，{LEVEL_ZH[u.level]}）" if u else uid

    def need_text(self, vid: str) -> tuple[str, str]:
        n = self.need.get(vid)
        if n is None:
            return "no requirement", "无选派要求"
        flags = ";".join(n.flags)
        flags_zh = "、".join(s.CATEGORY.zh[f] for f in n.flags)
        return f"{flags}: {n.min}–{n.max} people", f"{flags_zh}：{n.min}–{n.max}人"
