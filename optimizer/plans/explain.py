"""`zhucun explain`: why a village is short, why a cadre is where they are (or nowhere).

The reasons come from :mod:`optimizer.plans.reasons`, the one derivation ``unstaffed.csv`` is written
from, so a village's reason here, in ``unstaffed.csv`` and in a free cadre's explanation is the
same sentence, binding rule first. The plan explained is a fresh solve, a given solve result, or
a plan folder read from disk (``plan_dir``, hand-edited ones too), which is not re-solved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from optimizer.data import schema as s
from optimizer.data.domain import Dataset, completed_years
from optimizer.data.errors import InputError, Problem
from optimizer.model.result import SolveResult
from optimizer.model.solve import solve
from optimizer.plans.formulas import read_output_csv
from optimizer.plans.reasons import PlanView, cadre_reasons, shortfall, view_of, village_reasons
from optimizer.plans.workbook import read_plan_tables
from optimizer.policy import Policy
from optimizer.rules.instance import Instance, build_instance
from optimizer.rules.scoring import posting_points


@dataclass
class VillageExplanation:
    village_id: str
    status: str
    """full, covered, short, no-requirement."""
    required: int
    filled: int
    rules: list[str] = field(default_factory=list)
    """The binding rule ids, the binding one first (as in ``unstaffed.csv``)."""
    competitors: list[str] = field(default_factory=list)
    """Villages holding the people who could complete this one, when that is the reason."""
    lines_en: list[str] = field(default_factory=list)
    lines_zh: list[str] = field(default_factory=list)
    reason_en: str = ""
    reason_zh: str = ""
    """The reason sentence, exactly as ``unstaffed.csv`` gives it."""

    def render(self, lang: str = "en") -> str:
        return "\n".join(self.lines_zh if lang == "zh" else self.lines_en)


@dataclass
class CadreExplanation:
    cadre_id: str
    posted: str | None
    """Village the cadre serves in (new or incumbent), else None."""
    role: str | None
    scores: dict[str, int] = field(default_factory=dict)
    """Soft points of the posting per rule id (S-PARTY, S-YOUNG, S-EXPERT, S-FIT, S-TRAVEL)."""
    alternative: str | None = None
    alternative_delta: int | None = None
    failures: list[str] = field(default_factory=list)
    lines_en: list[str] = field(default_factory=list)
    lines_zh: list[str] = field(default_factory=list)
    short_villages: dict[str, str] = field(default_factory=dict)
    """For a free cadre: short village they may serve → the reason it stays short (en)."""

    def render(self, lang: str = "en") -> str:
        return "\n".join(self.lines_zh if lang == "zh" else self.lines_en)


# --------------------------------------------------------------------------- the plan


def plan_context(
    dataset: Dataset,
    policy: Policy,
    plan_date: date | None,
    result: SolveResult | None = None,
    plan_dir: Path | None = None,
    time_limit: float = 60.0,
) -> tuple[Instance, PlanView]:
    """The instance and the plan to explain: ``plan_dir`` read from disk (its manifest's plan
    date unless ``plan_date`` is given), else ``result``, else a fresh solve."""
    if plan_dir is not None:
        day = plan_date or manifest_date(Path(plan_dir)) or date.today()
        inst = build_instance(dataset, policy, day)
        return inst, read_plan_folder(inst, Path(plan_dir))
    res = result or solve(dataset, policy, plan_date or date.today(), time_limit=time_limit)
    return res.instance, view_of(res)


def manifest_date(plan_dir: Path) -> date | None:
    try:
        doc = json.loads((plan_dir / "manifest.json").read_text(encoding="utf-8"))
        return date.fromisoformat(str(doc["plan_date"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_plan_folder(inst: Instance, plan_dir: Path) -> PlanView:  # noqa: C901 - one check per file of a plan folder
    """``plan.csv`` (and ``teams.csv``'s cluster covers, if there) of a plan folder; unknown
    ids and roles are bad input, one line each."""
    if not plan_dir.is_dir():
        raise InputError([Problem(str(plan_dir), "no such plan folder (expected a `solve` --out)")])
    problems: list[Problem] = []
    need = {"plan.csv": (["village_id", "cadre_id", "role"], problems),
            "teams.csv": (["host_village_id", "covered_village_ids"], [])}  # fmt: skip

    def csv(path: Path) -> pd.DataFrame | None:
        cols, found = need.get(path.name, ([], []))
        return read_output_csv(path, cols, found) if path.name in need else None

    tables = read_plan_tables(plan_dir, csv)
    frame, file = tables.plan, tables.file
    for col in ("village_id", "cadre_id", "role"):
        if frame is not None and col not in frame.columns:
            problems.append(Problem(file, f"missing required column {col}", row=1, column=col))
            frame = None
    postings = []
    for i, r in [] if frame is None else zip(frame.index, frame.to_dict("records"), strict=True):
        role = s.ROLE.lookup(str(r["role"]).strip())
        for col, ok, want in (
            ("village_id", r["village_id"] in inst.ds.villages, "a village of the dataset"),
            ("cadre_id", r["cadre_id"] in inst.ds.cadres, "a cadre of the dataset"),
            ("role", role is not None, "secretary or member"),
        ):
            if not ok and len(problems) < 20:
                problems.append(Problem(file, f"expected {want}", int(i), col, r[col]))
        if role is not None:
            postings.append((r["cadre_id"], r["village_id"], role))
    if problems:
        raise InputError(problems)
    covers = []
    teams = tables.teams
    if teams is not None and "covered_village_ids" not in teams.columns:
        teams = None
    for r in [] if teams is None else teams.to_dict("records"):
        covers += [(r["host_village_id"], w) for w in str(r["covered_village_ids"]).split(";") if w]
    return PlanView(postings, covers)


# --------------------------------------------------------------------------- villages


def explain_village(
    dataset: Dataset,
    policy: Policy,
    village_id: str,
    plan_date: date | None = None,
    result: SolveResult | None = None,
    time_limit: float = 60.0,
    plan_dir: Path | None = None,
) -> VillageExplanation:
    """Why ``village_id`` is short (or that it is not), from the plan's reasons."""
    v = dataset.villages.get(village_id)
    if v is None:
        raise InputError([Problem("village", "no such village in the dataset", value=village_id)])
    inst, view = plan_context(dataset, policy, plan_date, result, plan_dir, time_limit)
    name = f"{village_id} ({v.name})"
    need = inst.need.get(village_id)
    if need is None:
        en = f"{name} has no team requirement under {policy.name} (flags: {', '.join(sorted(v.categories))}): no team is sent (T-SIZE)."
        zh = f"{name} 在 {policy.name} 下无选派要求（类别：{'、'.join(in_zh(s.CATEGORY, k) for k in sorted(v.categories)) or '无'}），不派工作队（T-SIZE）。"
        return VillageExplanation(village_id, "no-requirement", 0, 0, ["T-SIZE"], [], [en], [zh])
    covered_by = [h for h, w in view.covers if w == village_id]
    if covered_by:
        en = f"{name} is covered by the team at {covered_by[0]} (C-CLUSTER): nothing is missing."
        zh = f"{name} 由 {covered_by[0]} 的工作队一队带多村覆盖（C-CLUSTER），无缺额。"
        return VillageExplanation(village_id, "covered", need.min, need.min, [], [], [en], [zh])
    missing = shortfall(inst, view).get(village_id, 0)
    if missing == 0:
        team = [(c, r) for c, w, r in view.postings if w == village_id]
        people = ", ".join(
            f"{c} {dataset.cadres[c].name} ({r}, {inst.unit_of(c)})" for c, r in team
        )
        en = f"{name} has its full team ({len(team)} of minimum {need.min}): {people}."
        people_zh = "，".join(
            f"{c} {dataset.cadres[c].name}（{in_zh(s.ROLE, r)}，{inst.unit_of(c)}）"
            for c, r in team
        )
        zh = f"{name} 工作队已满（{len(team)}人，最低{need.min}人）：{people_zh}。"
        return VillageExplanation(village_id, "full", need.min, need.min, [], [], [en], [zh])
    r = village_reasons(inst, view)[village_id]
    en = [f"{name} is short {missing} of {need.min} required posts (class {inst.cls[village_id]}).",
          f"Reason: {r.en}"]  # fmt: skip
    zh = [f"{name} 缺{missing}个岗位（最低{need.min}人，优先级类别 {in_zh(s.CATEGORY, inst.cls[village_id])}）。",
          f"原因：{r.zh}"]  # fmt: skip
    for w in r.competitors:
        en.append(f"  - {w} ({dataset.villages[w].name}), class {inst.cls[w]}")
        zh.append(f"  - {w}（{dataset.villages[w].name}），类别 {in_zh(s.CATEGORY, inst.cls[w])}")
    return VillageExplanation(
        village_id,
        "short",
        need.min,
        need.min - missing,
        list(r.rules),
        list(r.competitors),
        en,
        zh,
        r.en,
        r.zh,
    )


# --------------------------------------------------------------------------- cadres


def in_zh(vocab: s.Vocab, code: str | None) -> str:
    """A code of the data contract in Chinese (as typed when the vocabulary lacks it)."""
    return vocab.zh.get(code or "", code or "")


def yes(flag: bool) -> str:
    return "是" if flag else "否"


def _failure_text(inst: Instance, cid: str, rule: str) -> tuple[str, str]:
    c, pol, day = inst.ds.cadres[cid], inst.policy, inst.plan_date
    u = inst.ds.units[c.unit_id]
    texts = {
        "E-AVAIL": ("marked unavailable (available = false)", "标记为不可派"),
        "E-SERVICE": (f"employment is {c.employment}, not in-service staff", f"编制状态为 {in_zh(s.EMPLOYMENT, c.employment)}，非在编在岗"),
        "E-HEALTH": ("health is poor", "健康状况较差"),
        "E-EVAL": (f"worst recent rating {c.eval_recent}", f"近两年考核 {in_zh(s.EVAL, c.eval_recent)}"),
        "E-TOWNSHIP": ("a township cadre", "乡镇干部"),
        "E-AGE": (f"age {c.age(day)} at {day} > {pol.max_age}", f"{day} 时 {c.age(day)} 岁，超过 {pol.max_age} 岁"),
        "E-SEC-PARTY": (f"political status {c.political_status}, not a full CPC member", f"政治面貌 {in_zh(s.POLITICAL, c.political_status)}，非中共正式党员"),
        "E-SEC-PARTYYRS": (f"party standing {completed_years(c.party_date, day) if c.party_date else 0} year(s) at {day} "
                           f"(joined {c.party_date}); needs ≥ {pol.sec_min_party_years}",
                           f"党龄 {completed_years(c.party_date, day) if c.party_date else 0} 年（入党 {c.party_date}），需 ≥ {pol.sec_min_party_years} 年"),
        "E-SEC-WORKYRS": (f"work experience {completed_years(c.work_date, day)} year(s) (since {c.work_date}); needs ≥ {pol.sec_min_work_years}",
                          f"工作年限 {completed_years(c.work_date, day)} 年（{c.work_date} 参加工作），需 ≥ {pol.sec_min_work_years} 年"),
        "L-RANK": (f"rank {c.rank or 'clerk'}, middle manager {c.middle_manager}, young pool {c.young_pool} "
                   f"do not meet the {u.level}-level leader rule", f"职级 {in_zh(s.RANK, c.rank or 'clerk')}、中层 {yes(c.middle_manager)}、年轻干部 {yes(c.young_pool)} 不符合{in_zh(s.LEVEL, u.level)}级单位的队长要求"),
    }  # fmt: skip
    return texts[rule]


def explain_cadre(
    dataset: Dataset,
    policy: Policy,
    cadre_id: str,
    plan_date: date | None = None,
    result: SolveResult | None = None,
    time_limit: float = 60.0,
    plan_dir: Path | None = None,
) -> CadreExplanation:
    """Where the cadre is and why (score by soft term, best alternative), or why nowhere: for
    a free, eligible cadre, the reason each short village they may serve stays short."""
    c = dataset.cadres.get(cadre_id)
    if c is None:
        raise InputError([Problem("cadre", "no such cadre in the dataset", value=cadre_id)])
    inst, view = plan_context(dataset, policy, plan_date, result, plan_dir, time_limit)
    name = f"{cadre_id} ({c.name}, {c.unit_id})"
    inc = next((p for p in inst.incumbents if p.cadre_id == cadre_id), None)
    if inc is not None:
        en = [f"{name} is a serving incumbent at {inc.village_id} as {inc.role} since {inc.start} "
              "and stays (H-INCUMBENT)."]  # fmt: skip
        zh = [
            f"{name} 自 {inc.start} 起在 {inc.village_id} 任{in_zh(s.ROLE, inc.role)}，任期未满，留任（H-INCUMBENT）。"
        ]
        return CadreExplanation(cadre_id, inc.village_id, inc.role, lines_en=en, lines_zh=zh)
    if any(r.cadre_id == cadre_id for r in dataset.recall):
        en = [f"{name} is recalled (召回) and appears nowhere in the plan (H-INCUMBENT)."]
        zh = [f"{name} 已召回，不出现在规划中（H-INCUMBENT）。"]
        return CadreExplanation(
            cadre_id, None, None, failures=["H-INCUMBENT"], lines_en=en, lines_zh=zh
        )
    post = next(((v, r) for cid, v, r in view.postings if cid == cadre_id), None)
    if post is not None:
        return _posted(inst, cadre_id, name, *post)
    return _free(inst, view, cadre_id, name)


def _posted(inst: Instance, cadre_id: str, name: str, vid: str, role: str) -> CadreExplanation:
    villages = inst.ds.villages
    scores = posting_points(inst, cadre_id, vid, role, person_fit=True)
    total = sum(scores.values())
    alt, alt_total = None, None
    for w, roles in inst.options(cadre_id):
        if w == vid or role not in roles:
            continue
        t = sum(posting_points(inst, cadre_id, w, role, person_fit=True).values())
        if alt_total is None or t > alt_total or (t == alt_total and w < alt):
            alt, alt_total = w, t
    parts = ", ".join(f"{k} {v:+d}" for k, v in scores.items() if v)
    en = [f"{name} serves at {vid} ({villages[vid].name}) as {role}.",
          f"Score of this posting: {total:+d} points ({parts or 'no soft term applies'})."]  # fmt: skip
    zh = [f"{name} 派往 {vid}（{villages[vid].name}）任{in_zh(s.ROLE, role)}。",
          f"该岗位得分 {total:+d}（{parts or '无软约束项'}）。"]  # fmt: skip
    if alt is not None:
        d = total - alt_total
        en.append(
            f"Best alternative: {alt} ({villages[alt].name}) at {alt_total:+d} points "
            f"({d:+d} for the chosen village). The plan is optimised as a whole: coverage "
            "first, then the sum of all postings' points."
        )
        zh.append(
            f"最佳备选：{alt}（{villages[alt].name}），得分 {alt_total:+d}（所选村 {d:+d}）。"
            "规划整体优化：先覆盖，再总分。"
        )
    return CadreExplanation(
        cadre_id,
        vid,
        role,
        scores,
        alt,
        None if alt_total is None else total - alt_total,
        [],
        en,
        zh,
    )


def _free(inst: Instance, view: PlanView, cadre_id: str, name: str) -> CadreExplanation:
    fails = list(inst.failures[cadre_id])
    en, zh = [f"{name} is not posted."], [f"{name} 未被选派。"]
    if fails:
        for r in fails:
            e, z = _failure_text(inst, cadre_id, r)
            en.append(f"  - {r}: {e}")
            zh.append(f"  - {r}：{z}")
        return CadreExplanation(cadre_id, None, None, failures=fails, lines_en=en, lines_zh=zh)
    options = [vid for vid, _ in inst.options(cadre_id)]
    sec_fails = inst.sec_failures[cadre_id]
    if not options:
        en.append(
            "  - no village with a requirement accepts this unit's level and region, or the "
            "cadre served in each before (LV-LEVEL, LV-REGION, H-NOREPEAT)."
        )
        zh.append(
            "  - 没有村接受该单位的层级和地区，或均为其曾驻村（LV-LEVEL、LV-REGION、H-NOREPEAT）。"
        )
        return CadreExplanation(
            cadre_id,
            None,
            None,
            failures=["LV-LEVEL", "LV-REGION", "H-NOREPEAT"],
            lines_en=en,
            lines_zh=zh,
        )
    for r in sec_fails:
        e, z = _failure_text(inst, cadre_id, r)
        en.append(f"  - may serve only as a member: {r}: {e}")
        zh.append(f"  - 只能任队员：{r}：{z}")
    short = cadre_reasons(inst, cadre_id, village_reasons(inst, view, set(options)))
    for vid, e, z in short:
        en.append(f"  - not at short village {vid} ({inst.ds.villages[vid].name}): {e}")
        zh.append(f"  - 未派往缺员村 {vid}（{inst.ds.villages[vid].name}）：{z}")
    rest = [v for v in options if v not in {s[0] for s in short}]
    if rest:
        en.append(
            f"  - eligible but not needed: {len(rest)} other village(s) could take them "
            f"(e.g. {', '.join(rest[:5])}), and every post there is filled."
        )
        zh.append(
            f"  - 符合条件但未被需要：另有 {len(rest)} 个村可派（如 {'、'.join(rest[:5])}），"
            "这些岗位均已填满。"
        )
    return CadreExplanation(
        cadre_id,
        None,
        None,
        failures=sec_fails,
        lines_en=en,
        lines_zh=zh,
        short_villages={v: e for v, e, _ in short},
    )


__all__ = ["CadreExplanation", "VillageExplanation", "explain_cadre", "explain_village"]
