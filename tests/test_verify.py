"""The independent verifier (SPEC §7 ``zhucun verify``).

Every preset's plan of the bundled sample must verify clean; single mutations of a valid plan
must be reported under exactly the rule they break. Each preset is solved once per module.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import optimizer
from optimizer.data.domain import completed_years
from optimizer.data.errors import InputError
from optimizer.plans.build import write_plan
from optimizer.rules.glossary import rule_source
from optimizer.verify import Violation, verify_plan, violations_frame, write_verify_csv
from optimizer.verify.need import need

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "scenarios" / "sample-county"
DAY = date(2026, 9, 1)
# hebei-2018's soft phase runs to the limit on two cores; any feasible plan must verify clean
TIME_LIMIT = {"hebei-2018": 20}

Frames = dict[str, pd.DataFrame]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def ds():
    return optimizer.load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def solved(ds, tmp_path_factory):
    """preset → plan folder, solving each preset at most once for the module."""
    cache: dict[str, Path] = {}

    def get(preset: str) -> Path:
        if preset not in cache:
            policy = optimizer.load_policy(preset)
            res = optimizer.solve(ds, policy, DAY, time_limit=TIME_LIMIT.get(preset, 60))
            assert res.has_plan, res.status
            out = tmp_path_factory.mktemp("plans") / preset
            write_plan(res.tables, out)
            cache[preset] = out
        return cache[preset]

    return get


def copy_plan(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "plan"
    shutil.copytree(src, dst)
    return dst


def read(plan_dir: Path) -> Frames:
    return {
        name: pd.read_csv(plan_dir / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("plan", "teams", "unstaffed")
    }


def save(plan_dir: Path, frames: Frames) -> None:
    for name, frame in frames.items():
        frame.to_csv(plan_dir / f"{name}.csv", index=False, lineterminator="\n")


def hard(vs: list[Violation]) -> list[Violation]:
    return [v for v in vs if v.severity == "hard"]


def rules_of(vs: list[Violation]) -> set[str]:
    return {v.rule for v in hard(vs)}


def eligible(ds, policy, cadre) -> bool:
    """General eligibility, spelled out here for picking mutation targets."""
    unit = ds.units[cadre.unit_id]
    return (
        cadre.available
        and cadre.employment == "staff"
        and cadre.health != "poor"
        and not (policy.eval_ban and cadre.eval_recent in ("basic", "incompetent"))
        and not (policy.township_ban and (cadre.township_cadre or unit.level == "township"))
        and not (policy.max_age is not None and cadre.age(DAY) > policy.max_age)
    )


def served_at(ds) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for p in ds.history:
        out.setdefault(p.cadre_id, set()).add(p.village_id)
    return out


def set_cadre(frames: Frames, idx, ds, cadre_id: str) -> None:
    plan = frames["plan"]
    plan.loc[idx, "cadre_id"] = cadre_id
    plan.loc[idx, "cadre_name"] = ds.cadres[cadre_id].name


def refresh_team(frames: Frames, ds, village_id: str) -> None:
    """Recompute a team's size and unit_ids in teams.csv from plan.csv."""
    plan, teams = frames["plan"], frames["teams"]
    rows = plan[plan.village_id == village_id]
    t = teams.index[teams.host_village_id == village_id]
    teams.loc[t, "size"] = str(len(rows))
    teams.loc[t, "unit_ids"] = ";".join(sorted(set(rows.unit_id)))


# --------------------------------------------------------------------------- valid plans


@pytest.mark.parametrize("preset", optimizer.PRESETS)
def test_every_preset_plan_verifies_clean(ds, solved, preset):
    vs = verify_plan(ds, solved(preset), preset, DAY)
    assert hard(vs) == [], [f"{v.rule} {v.village_id} {v.cadre_id} {v.detail_en}" for v in hard(vs)]
    assert all(v.severity == "soft" for v in vs)


def test_plan_date_defaults_to_manifest(ds, solved):
    path = solved("central-2021")
    assert hard(verify_plan(str(SAMPLE), path, "central-2021")) == []
    # a later date turns every new posting's dates wrong
    later = verify_plan(ds, path, optimizer.load_policy("central-2021"), "2027-01-01")
    assert "PLAN-DATES" in rules_of(later)


# --------------------------------------------------------------------------- mutations


def test_E_SEC_PARTY_probationary_secretary(ds, solved, tmp_path):
    policy = optimizer.load_policy("central-2021")
    plan_dir = copy_plan(solved("central-2021"), tmp_path)
    frames = read(plan_dir)
    plan = frames["plan"]
    posted = set(plan.cadre_id)
    former = served_at(ds)
    target = None
    for idx, row in plan[(plan.role == "secretary") & (plan.status == "new")].iterrows():
        for c in ds.cadres.values():
            if (
                c.unit_id == row.unit_id
                and c.cadre_id not in posted
                and c.political_status == "probationary"
                and completed_years(c.work_date, DAY) >= policy.sec_min_work_years
                and eligible(ds, policy, c)
                and row.village_id not in former.get(c.cadre_id, set())
            ):
                target = (idx, c.cadre_id)
                break
        if target:
            break
    assert target, "no free probationary cadre in a secretary's unit"
    set_cadre(frames, target[0], ds, target[1])
    save(plan_dir, frames)
    vs = verify_plan(ds, plan_dir, policy)
    assert rules_of(vs) == {"E-SEC-PARTY"}
    (v,) = hard(vs)
    assert v.cadre_id == target[1] and "probationary" in v.detail_en
    assert v.source.startswith(
        "湖南省《关于在乡村振兴中持续向重点乡村选派驻村第一书记和工作队的实施意见》二(三)"
    )


def test_T_SIZE_short_team_not_listed(ds, solved, tmp_path):
    policy = optimizer.load_policy("central-2021")
    plan_dir = copy_plan(solved("central-2021"), tmp_path)
    frames = read(plan_dir)
    plan = frames["plan"]
    size = plan.groupby("village_id").size()
    # a complete all-new team of size 2 (central-2021: min 2); drop its member
    pick = next(
        vid
        for vid, n in size.items()
        if n == 2
        and (plan[plan.village_id == vid].status == "new").all()
        and vid not in set(frames["unstaffed"].village_id)
    )
    drop = plan.index[(plan.village_id == pick) & (plan.role == "member")]
    frames["plan"] = plan.drop(drop)
    refresh_team(frames, ds, pick)
    save(plan_dir, frames)
    vs = verify_plan(ds, plan_dir, policy)
    assert rules_of(vs) == {"T-SIZE"}
    (v,) = hard(vs)
    assert v.village_id == pick and "below the minimum 2" in v.detail_en
    # listing it with the right shortfall makes it valid again
    frames["unstaffed"] = pd.concat(
        [frames["unstaffed"], pd.DataFrame([{"village_id": pick, "posts_missing": "1"}])],
        ignore_index=True,
    ).fillna("")
    save(plan_dir, frames)
    assert hard(verify_plan(ds, plan_dir, policy)) == []


def test_H_NOREPEAT_cadre_back_at_former_village(ds, solved, tmp_path):
    policy = optimizer.load_policy("hebei-2018")
    plan_dir = copy_plan(solved("hebei-2018"), tmp_path)
    frames = read(plan_dir)
    plan = frames["plan"]
    posted = set(plan.cadre_id)
    current = {p.cadre_id for p in ds.history if p.current_at(DAY)}
    target = None
    for p in ds.history:
        c = ds.cadres[p.cadre_id]
        if c.cadre_id in posted or c.cadre_id in current or not eligible(ds, policy, c):
            continue
        rows = plan[
            (plan.village_id == p.village_id)
            & (plan.role == "member")
            & (plan.status == "new")
            & (plan.unit_id == c.unit_id)
        ]
        if len(rows):
            target = (rows.index[0], c.cadre_id, p.village_id)
            break
    assert target, "no free former cadre whose unit serves their former village"
    set_cadre(frames, target[0], ds, target[1])
    save(plan_dir, frames)
    vs = verify_plan(ds, plan_dir, policy)
    assert rules_of(vs) == {"H-NOREPEAT"}
    (v,) = hard(vs)
    assert (v.cadre_id, v.village_id) == target[1:]


def test_T_UNIT_mixed_units_without_joint_teams(ds, solved, tmp_path):
    policy = optimizer.load_policy("central-2021")
    plan_dir = copy_plan(solved("central-2021"), tmp_path)
    frames = read(plan_dir)
    plan = frames["plan"]
    posted = set(plan.cadre_id)
    former = served_at(ds)
    idx = plan.index[(plan.role == "member") & (plan.status == "new")][0]
    vid, unit = plan.loc[idx, "village_id"], plan.loc[idx, "unit_id"]
    other = next(
        c
        for c in ds.cadres.values()
        if c.cadre_id not in posted
        and c.unit_id != unit
        and ds.units[c.unit_id].level == "province"
        and eligible(ds, policy, c)
        and vid not in former.get(c.cadre_id, set())
    )
    set_cadre(frames, idx, ds, other.cadre_id)
    frames["plan"].loc[idx, "unit_id"] = other.unit_id
    frames["plan"].loc[idx, "level"] = "province"
    refresh_team(frames, ds, vid)
    save(plan_dir, frames)
    vs = verify_plan(ds, plan_dir, policy)
    assert rules_of(vs) == {"T-UNIT"}
    (v,) = hard(vs)
    assert v.village_id == vid and other.unit_id in v.detail_en


def test_C_CLUSTER_non_adjacent_covered_village(ds, solved, tmp_path):
    policy = optimizer.load_policy("hunan-2021")
    plan_dir = copy_plan(solved("hunan-2021"), tmp_path)
    frames = read(plan_dir)
    plan, teams = frames["plan"], frames["teams"]
    adjacent = {frozenset(p) for p in ds.adjacency}
    units_used = Counter(plan.unit_id)
    demo = [v for v in ds.villages.values() if "demo" in v.categories]
    # a demo-only village whose all-new team can be dissolved without emptying a unit
    w = next(
        v.village_id
        for v in demo
        if v.categories == {"demo"}
        and (rows := plan[plan.village_id == v.village_id]).shape[0] > 0
        and (rows.status == "new").all()
        and all(units_used[u] > (rows.unit_id == u).sum() for u in set(rows.unit_id))
    )
    host = next(
        v.village_id
        for v in demo
        if v.village_id != w
        and v.village_id in set(teams.host_village_id)
        and frozenset((v.village_id, w)) not in adjacent
    )
    frames["plan"] = plan[plan.village_id != w]
    frames["teams"] = teams[teams.host_village_id != w].copy()
    t = frames["teams"].index[frames["teams"].host_village_id == host]
    frames["teams"].loc[t, "covered_village_ids"] = w
    save(plan_dir, frames)
    vs = verify_plan(ds, plan_dir, policy)
    assert rules_of(vs) == {"C-CLUSTER"}
    (v,) = hard(vs)
    assert v.village_id == w and "not adjacent" in v.detail_en


def test_P_PIN_broken_require_pin(ds, solved, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    plan_dir = solved("central-2021")
    plan = read(plan_dir)["plan"]
    row = plan[(plan.status == "new") & (plan.role == "member")].iloc[0]
    elsewhere = next(v for v in ds.villages if v != row.village_id)
    pd.DataFrame(
        [{"cadre_id": row.cadre_id, "village_id": elsewhere, "role": "member", "kind": "require"}]
    ).to_csv(data / "pins.csv", index=False)
    vs = verify_plan(data, plan_dir, "central-2021")
    assert rules_of(vs) == {"P-PIN"}
    (v,) = hard(vs)
    assert (v.village_id, v.cadre_id) == (elsewhere, row.cadre_id)
    assert row.village_id in v.detail_en


def test_PLAN_DUPLICATE_cadre_posted_twice(ds, solved, tmp_path):
    policy = optimizer.load_policy("central-2021")
    plan_dir = copy_plan(solved("central-2021"), tmp_path)
    frames = read(plan_dir)
    plan = frames["plan"]
    former = served_at(ds)
    members = plan[(plan.role == "member") & (plan.status == "new")]
    pair = next(
        (a, b)
        for a in members.index
        for b in members.index
        if members.loc[a, "unit_id"] == members.loc[b, "unit_id"]
        and members.loc[a, "village_id"] != members.loc[b, "village_id"]
        and members.loc[b, "village_id"] not in former.get(members.loc[a, "cadre_id"], set())
    )
    twice = plan.loc[pair[0], "cadre_id"]
    set_cadre(frames, pair[1], ds, twice)  # same unit, so teams.csv stays right
    save(plan_dir, frames)
    vs = verify_plan(ds, plan_dir, policy)
    assert rules_of(vs) == {"PLAN-DUPLICATE"}
    (v,) = hard(vs)
    assert v.cadre_id == twice and "使用说明" in v.source


def test_H_INCUMBENT_dropped_incumbent(ds, solved, tmp_path):
    policy = optimizer.load_policy("hunan-2021")
    plan_dir = copy_plan(solved("hunan-2021"), tmp_path)
    frames = read(plan_dir)
    plan = frames["plan"]
    idx = plan.index[(plan.status == "incumbent") & (plan.role == "member")][0]
    vid, cid = plan.loc[idx, "village_id"], plan.loc[idx, "cadre_id"]
    frames["plan"] = plan.drop(idx)
    refresh_team(frames, ds, vid)
    # keep T-SIZE out of it: list a shortfall if the team drops below its minimum
    size = int((frames["plan"].village_id == vid).sum())
    need_min = need(ds.villages[vid], policy).min
    if size < need_min:
        frames["unstaffed"] = pd.concat(
            [
                frames["unstaffed"],
                pd.DataFrame([{"village_id": vid, "posts_missing": str(need_min - size)}]),
            ],
            ignore_index=True,
        ).fillna("")
    save(plan_dir, frames)
    vs = verify_plan(ds, plan_dir, policy)
    assert rules_of(vs) == {"H-INCUMBENT"}
    (v,) = hard(vs)
    assert (v.village_id, v.cadre_id) == (vid, cid) and "nowhere in the plan" in v.detail_en


def test_L_LEADER_and_PLAN_DATES(ds, solved, tmp_path):
    policy = optimizer.load_policy("central-2021")
    plan_dir = copy_plan(solved("central-2021"), tmp_path)
    frames = read(plan_dir)
    plan, teams = frames["plan"], frames["teams"]
    # a team whose lead unit is replaced by another unit of the same level
    t = teams.index[0]
    lead = teams.loc[t, "lead_unit_id"]
    other = next(
        u for u in ds.units.values() if u.unit_id != lead and u.level == ds.units[lead].level
    )
    teams.loc[t, "lead_unit_id"] = other.unit_id
    idx = plan.index[plan.status == "new"][0]
    plan.loc[idx, "end"] = "2028-08-31"
    save(plan_dir, frames)
    vs = verify_plan(ds, plan_dir, policy)
    assert Counter(v.rule for v in hard(vs)) == {"L-LEADER": 1, "PLAN-DATES": 1}


# --------------------------------------------------------------------------- bad input and output


def test_InputError_without_plan_csv(ds, tmp_path):
    (tmp_path / "teams.csv").write_text("team_id\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        verify_plan(ds, tmp_path, "central-2021", DAY)
    assert any(p.file == "plan.csv" for p in err.value.problems)


def test_InputError_bad_values_name_row_and_column(ds, solved, tmp_path):
    plan_dir = copy_plan(solved("central-2021"), tmp_path)
    frames = read(plan_dir)
    frames["plan"].loc[0, "start"] = "soon"
    frames["plan"].loc[1, "status"] = "maybe"
    save(plan_dir, frames)
    with pytest.raises(InputError) as err:
        verify_plan(ds, plan_dir, "central-2021")
    found = {(p.row, p.column, p.value) for p in err.value.problems}
    assert found == {(2, "start", "soon"), (3, "status", "maybe")}


def test_frame_and_csv(ds, solved, tmp_path):
    vs = verify_plan(ds, solved("hunan-2021"), "hunan-2021", DAY)
    extra = Violation("T-SIZE", "V1", "", "too small", "人数不足", "000 二(二)")
    frame = violations_frame([*vs, extra], lang="zh")
    assert list(frame.columns) == ["rule", "village_id", "cadre_id", "detail", "source", "severity"]
    assert frame.detail.iloc[-1] == "人数不足" and frame.severity.iloc[-1] == "hard"
    out = tmp_path / "verify.csv"
    write_verify_csv([extra], out)
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert back.to_dict("records") == [
        {
            "rule": "T-SIZE",
            "village_id": "V1",
            "cadre_id": "",
            "detail": "too small",
            "source": rule_source("T-SIZE", "en"),
            "severity": "hard",
        }
    ]
    assert vs == sorted(vs, key=lambda v: (v.rule, v.village_id, v.cadre_id, v.detail_en))


@pytest.mark.parametrize("edit", ["drop_incumbent", "duplicate_elsewhere", "drop_member"])
def test_hand_edits_of_plan_csv_alone_give_one_root_cause(ds, solved, tmp_path, edit):
    """A planner edits plan.csv only: teams.csv and unstaffed.csv go stale, sizes change.
    The verifier names the root cause once instead of every consequence."""
    plan_dir = copy_plan(solved("hunan-2021"), tmp_path)
    frames = read(plan_dir)
    p = frames["plan"]
    if edit == "drop_incumbent":
        p = p.drop(index=p[p.status == "incumbent"].index[0])
        expected = {"H-INCUMBENT"}
    elif edit == "duplicate_elsewhere":
        other = p.village_id.iloc[40]
        p = pd.concat([p, p.iloc[[5]].assign(village_id=other, team_id=f"T-{other}")])
        expected = {"PLAN-DUPLICATE"}
    else:
        p = p.drop(index=p[(p.role == "member") & (p.status == "new")].index[0])
        expected = {"T-SIZE"}
    frames["plan"] = p
    save(plan_dir, frames)
    found = hard(verify_plan(ds, plan_dir, "hunan-2021"))
    assert {v.rule for v in found} == expected and len(found) == 1


# --------------------------------------------------------------------------- preferences


@pytest.mark.parametrize("preset", ["hunan-2021", "central-2021"])
def test_S_FIT_and_the_other_person_terms_no_better_free_cadre_in_a_solver_plan(ds, solved, preset):
    """The people stage seats, per unit, the best people by S-PARTY/S-YOUNG/S-EXPERT, then
    S-FIT: no free cadre of the unit could replace one and be better on a term, worse on none."""
    vs = verify_plan(ds, solved(preset), preset, DAY)
    assert [v for v in vs if v.rule in ("S-PARTY", "S-YOUNG", "S-EXPERT", "S-FIT")] == []


def test_S_TRAVEL_exchanges_found_in_a_solver_plan_are_valid_and_better(ds, solved, tmp_path):
    """The solver prices S-FIT by each unit's average skills, so two teams may still exchange
    villages for less travel with the people's own skills no worse; each exchange the verifier
    names, made, is a valid plan whose recomputed points are higher on S-TRAVEL, lower on
    none."""
    from optimizer.verify import verify_report
    from optimizer.verify.checks.exchange import best_exchanges
    from optimizer.verify.planfiles import read_plan
    from optimizer.verify.view import PlanView

    policy = optimizer.load_policy("hunan-2021")
    src = solved("hunan-2021")
    files = read_plan(src)
    view = PlanView(ds, policy, DAY, files.rows, files.teams, files.shorts)
    before = verify_report(ds, src, policy, DAY).points
    for k, ex in enumerate(best_exchanges(view)):
        a, b = ex.a.village.village_id, ex.b.village.village_id
        dst = tmp_path / f"x{k}"
        shutil.copytree(src, dst)
        frames = read(dst)
        plan, teams = frames["plan"], frames["teams"]
        swap = {a: b, b: a}
        plan["village_id"] = plan.village_id.replace(swap)
        plan["village_name"] = plan.village_id.map(lambda x: ds.villages[x].name)
        teams["host_village_id"] = teams.host_village_id.replace(swap)
        save(dst, frames)
        after = verify_report(ds, dst, policy, DAY)
        assert hard(after.violations) == []
        assert after.points["S-TRAVEL"] - before["S-TRAVEL"] == ex.gain > 0
        assert all(after.points[t] >= before[t] for t in before)
