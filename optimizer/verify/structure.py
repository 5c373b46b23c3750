"""The plan folder's own form, before any SPEC §3 rule: ids the dataset knows, each cadre once,
the dates of each posting, and ``teams.csv`` and ``unstaffed.csv`` agreeing with ``plan.csv``.
Reported under the PLAN-* ids (:data:`optimizer.verify.violation.STRUCTURAL`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from optimizer.verify.view import PlanView
from optimizer.verify.violation import Violation, violation
from optimizer.verify.words import LEVEL_ZH, ROLE_ZH


def check_plan_ids(view: PlanView) -> Iterator[Violation]:
    ds = view.ds
    for r in view.rows:
        n, vid = r.rownum, r.village_id
        known = vid if vid in ds.villages else ""
        if not known:
            yield violation(
                "PLAN-UNKNOWN-ID",
                vid,
                r.cadre_id,
                f"plan.csv row {n}: village {vid} is not in the dataset",
                f"plan.csv 第{n}行：村 {vid} 不在数据中",
            )
        if r.cadre_id not in ds.cadres:
            yield violation(
                "PLAN-UNKNOWN-ID",
                known,
                r.cadre_id,
                f"plan.csv row {n}: cadre {r.cadre_id} is not in the dataset",
                f"plan.csv 第{n}行：干部 {r.cadre_id} 不在数据中",
            )
        if r.unit_id not in ds.units:
            yield violation(
                "PLAN-UNKNOWN-ID",
                known,
                r.cadre_id,
                f"plan.csv row {n}: unit {r.unit_id} is not in the dataset",
                f"plan.csv 第{n}行：单位 {r.unit_id} 不在数据中",
            )


def check_duplicates(view: PlanView) -> Iterator[Violation]:
    for cid, rs in view.by_cadre.items():
        if len(rs) > 1:
            where = ", ".join(f"{r.village_id} as {r.role} (row {r.rownum})" for r in rs)
            where_zh = "、".join(f"{r.village_id}{ROLE_ZH[r.role]}（第{r.rownum}行）" for r in rs)
            yield violation(
                "PLAN-DUPLICATE",
                "",
                cid,
                f"cadre {view.cname(cid)} has {len(rs)} postings: {where}",
                f"干部 {view.cname(cid)} 有{len(rs)}个派驻：{where_zh}",
            )


def check_dates(view: PlanView) -> Iterator[Violation]:
    """A new posting runs one term from the plan date; an incumbent row as its history row."""
    day, end, years = view.day, view.term_end, view.pol.term_years
    for r in view.rows:
        if r.status == "new" and (r.start != day or r.end != end):
            yield violation(
                "PLAN-DATES",
                r.village_id,
                r.cadre_id,
                f"new posting runs {r.start}–{r.end or '(open)'}; expected "
                f"{day}–{end} (plan date + {years}-year term)",
                f"新派任期为 {r.start}–{r.end or '（空）'}，应为 {day}–{end}（选派日期起{years}年）",
            )
    for p in view.kept:
        for r in view.by_cadre.get(p.cadre_id, []):
            if r.status != "incumbent" or r.village_id != p.village_id or r.role != p.role:
                continue
            if r.start != p.start or r.end != p.end:
                yield violation(
                    "PLAN-DATES",
                    r.village_id,
                    r.cadre_id,
                    f"incumbent row runs {r.start}–{r.end or 'open'}; the history row runs "
                    f"{p.start}–{p.end or 'open'}",
                    f"留任行任期 {r.start}–{r.end or '空'} 与历史记录 {p.start}–{p.end or '至今'} 不符",
                )


def check_team_hosts(view: PlanView) -> Iterator[Violation]:
    """teams.csv names known villages, each host once."""
    ds = view.ds
    for host, ts in view.teams_at.items():
        if host not in ds.villages:
            for t in ts:
                yield violation(
                    "PLAN-UNKNOWN-ID",
                    host,
                    "",
                    f"teams.csv row {t.rownum}: host village {host} is not in the dataset",
                    f"teams.csv 第{t.rownum}行：驻点村 {host} 不在数据中",
                )
            continue
        if len(ts) > 1:
            yield violation(
                "PLAN-TEAM-MISMATCH",
                host,
                "",
                f"teams.csv lists {view.vname(host)} as host {len(ts)} times (rows "
                f"{', '.join(str(t.rownum) for t in ts)})",
                f"teams.csv 中 {view.vname(host)} 作为驻点村出现{len(ts)}次",
            )
        for t in ts:
            for w in t.covered:
                if w not in ds.villages:
                    yield violation(
                        "PLAN-UNKNOWN-ID",
                        host,
                        "",
                        f"teams.csv row {t.rownum}: covered village {w} is not in the dataset",
                        f"teams.csv 第{t.rownum}行：带动村 {w} 不在数据中",
                    )


def check_teams_file(view: PlanView) -> Iterator[Violation]:
    """Each village's team in teams.csv matches its rows in plan.csv, and the reverse."""
    for vid, rs in view.by_village.items():
        t = view.team_of.get(vid)
        if t is None:
            yield violation(
                "PLAN-TEAM-MISMATCH",
                vid,
                "",
                f"{view.vname(vid)} has {len(rs)} rows in plan.csv but no team in teams.csv",
                f"{view.vname(vid)} 在 plan.csv 中有{len(rs)}人，但 teams.csv 中没有其工作队",
            )
            continue
        diffs, diffs_zh = _team_diffs(view, vid)
        if diffs:
            yield violation(
                "PLAN-TEAM-MISMATCH",
                vid,
                "",
                f"teams.csv row {t.rownum} for {view.vname(vid)}: " + "; ".join(diffs),
                f"teams.csv 第{t.rownum}行（{view.vname(vid)}）：" + "；".join(diffs_zh),
            )
    for host, t in view.team_of.items():
        if host not in view.by_village:
            yield violation(
                "PLAN-TEAM-MISMATCH",
                host,
                "",
                f"teams.csv row {t.rownum} lists a team at {view.vname(host)}, which has no "
                "rows in plan.csv",
                f"teams.csv 第{t.rownum}行列出 {view.vname(host)} 的工作队，但 plan.csv 中该村无人",
            )


def _team_diffs(view: PlanView, vid: str) -> tuple[list[str], list[str]]:
    rs, t = view.by_village[vid], view.team_of[vid]
    units = sorted({r.unit_id for r in rs})
    diffs, diffs_zh = [], []
    if t.size != len(rs):
        diffs.append(f"size {t.size} but plan.csv has {len(rs)} rows")
        diffs_zh.append(f"人数为{t.size}，plan.csv 中为{len(rs)}人")
    if sorted(set(t.unit_ids)) != units or len(t.unit_ids) != len(set(t.unit_ids)):
        diffs.append(f"unit_ids {';'.join(t.unit_ids)} but the rows' units are {';'.join(units)}")
        diffs_zh.append(f"派出单位为 {';'.join(t.unit_ids)}，plan.csv 中为 {';'.join(units)}")
    lead = view.ds.units.get(t.lead_unit_id)
    if t.level and lead is not None and t.level != lead.level:
        diffs.append(f"level {t.level} but lead unit {lead.unit_id} is {lead.level}-level")
        diffs_zh.append(f"层级为{t.level}，牵头单位 {lead.unit_id} 为{LEVEL_ZH[lead.level]}")
    ids = sorted({r.team_id for r in rs if r.team_id})
    if ids and ids != [t.team_id]:
        diffs.append(f"team_id {t.team_id} but plan.csv rows say {';'.join(ids)}")
        diffs_zh.append(f"工作队编号为 {t.team_id}，plan.csv 中为 {';'.join(ids)}")
    return diffs, diffs_zh


def check_unstaffed_file(view: PlanView) -> Iterator[Violation]:
    """Each village unstaffed.csv lists once, known, and with the posts it really misses."""
    for vid, shs in sorted(view.short_of.items()):
        for sh in shs[1:]:
            yield violation(
                "PLAN-UNSTAFFED-MISMATCH",
                vid,
                "",
                f"unstaffed.csv lists {view.vname(vid)} again on row {sh.rownum}",
                f"unstaffed.csv 第{sh.rownum}行重复列出 {view.vname(vid)}",
            )
        if vid not in view.ds.villages:
            n = shs[0].rownum
            yield violation(
                "PLAN-UNKNOWN-ID",
                vid,
                "",
                f"unstaffed.csv row {n}: village {vid} is not in the dataset",
                f"unstaffed.csv 第{n}行：村 {vid} 不在数据中",
            )
            continue
        found = _short_mismatch(view, vid)
        if found is not None:
            yield violation("PLAN-UNSTAFFED-MISMATCH", vid, "", *found)


def _short_mismatch(view: PlanView, vid: str) -> tuple[str, str] | None:
    """Why the village's (first) unstaffed.csv row is wrong, in English and Chinese."""
    sh, need = view.short_of[vid][0], view.need.get(vid)
    n, name, size = sh.rownum, view.vname(vid), len(view.by_village.get(vid, []))
    if need is None:
        return (
            f"unstaffed.csv row {n} lists {name}, which has no requirement",
            f"unstaffed.csv 第{n}行列出 {name}，但该村无选派要求",
        )
    if vid in view.covered_by:
        return (
            f"unstaffed.csv row {n} lists {name}, which is covered by "
            f"the team at {';'.join(view.covered_by[vid])}",
            f"unstaffed.csv 第{n}行列出 {name}，但该村已被带动",
        )
    missing = view.missing_posts(vid, need)
    if missing == 0:
        return (
            f"unstaffed.csv row {n} lists {name} with {sh.posts_missing} "
            f"posts missing, but its team is complete ({size} people, minimum {need.min})",
            f"unstaffed.csv 第{n}行列出 {name} 缺{sh.posts_missing}人，"
            f"但该村已有{size}人（最低{need.min}人）",
        )
    if sh.posts_missing != missing:
        return (
            f"unstaffed.csv row {n}: {name} posts_missing "
            f"{sh.posts_missing}, but {missing} required posts are "
            f"unfilled (minimum {need.min}, {size} people)",
            f"unstaffed.csv 第{n}行：{name} 缺额{sh.posts_missing}，"
            f"应缺{missing}个（最低{need.min}人，现有{size}人）",
        )
    return None


STRUCTURE: tuple[Callable[[PlanView], Iterable[Violation]], ...] = (
    check_plan_ids,
    check_duplicates,
    check_dates,
    check_team_hosts,
    check_teams_file,
    check_unstaffed_file,
)
"""Every structural check, in the order they run."""
