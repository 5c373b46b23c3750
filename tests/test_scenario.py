"""Scenario files: format, validation messages, data edits, sweeps, and `run` folders."""

from __future__ import annotations

import filecmp
import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from factory import DAY, Posting, cadre, dataset, unit, village

from optimizer import Scenario, load_scenarios, run, sweep, verify_plan
from optimizer.cli import main
from optimizer.data.errors import InputError
from optimizer.data.loading import load_dataset
from optimizer.whatif.build import dataset_tables, write_dataset_files
from optimizer.whatif.edits import apply_edits

ROOT = Path(__file__).resolve().parents[1]
WHAT_IF = ROOT / "scenarios" / "what-if"


def small() -> object:
    """Two units, eight cadres (two of them serving), four villages."""
    ds = dataset(
        [unit("U1", staff=30), unit("U2", level="city", staff=80, x=20.0)],
        [
            cadre("C1", "U1", birth_date=date(1968, 1, 1)),
            cadre("C2", "U1"),
            cadre("C3", "U1", political_status="none", party_date=None),
            cadre("C4", "U2", skills=frozenset({"agriculture"})),
            cadre("C5", "U2"),
            cadre("C6", "U2", birth_date=date(1970, 5, 1)),
            cadre("C7", "U1"),
            cadre("C8", "U2"),
        ],
        [
            village("V1", "key"),
            village("V2", "exited"),
            village("V3", "exited", "demo"),
            village("V4", "weak", township="乙镇"),
        ],
        history=[
            Posting("C7", "U1", "V1", "county", "secretary", date(2025, 9, 1)),
            Posting("C8", "U2", "V2", "city", "secretary", date(2025, 9, 1)),
        ],
    )
    return ds


@pytest.fixture
def data_dir(tmp_path) -> Path:
    folder = tmp_path / "data"
    write_dataset_files(dataset_tables(small()), folder)
    return folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def problems_of(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


# --------------------------------------------------------------------------- the shipped files


def test_example_scenarios_load():
    scs = load_scenarios(*sorted(WHAT_IF.glob("*.yaml")))
    names = [s.name for s in scs]
    for name in (
        "baseline",
        "age-57",
        "no-joint-teams",
        "dropout-10",
        "exited-3",
        "hebei-rules",
        "more-key",
        "age-cap.max_age=55",
        "key-team-min.min=4",
    ):
        assert name in names
    by = {s.name: s for s in scs}
    assert by["age-57"].overrides == {"eligibility": {"max_age": 57}}
    assert by["hebei-rules"].policy == "hebei-2018"
    assert by["exited-3"].load_policy().requirements["exited"].min == 3
    assert by["dropout-10"].edits == [{"scale_candidates": {"factor": 0.9, "seed": 1}}]
    assert all(s.dataset == ROOT / "scenarios" / "sample-county" for s in scs)
    assert all(s.plan_date == date(2026, 9, 1) for s in scs)
    assert by["age-cap.max_age=60"].variant == {"overrides.eligibility.max_age": 60}


def test_relative_paths_resolve_against_the_file(tmp_path, data_dir, monkeypatch):
    sc_file = write(
        tmp_path / "s" / "deep" / "a.yaml",
        "dataset: ../../data\npolicy: ../p.yaml\nplan_date: 2026-09-01\n",
    )
    write(tmp_path / "s" / "p.yaml", "extends: central-2021\nname: mine\n")
    monkeypatch.chdir(ROOT)
    (sc,) = load_scenarios(sc_file)
    assert sc.name == "a" and sc.dataset == data_dir and sc.load_policy().name == "mine"


# --------------------------------------------------------------------------- validation


def test_every_problem_named_by_file_key_value(tmp_path, data_dir):
    f = write(
        tmp_path / "bad.yaml",
        f"""
name: bad name
dataset: {data_dir}
policy: hunan-2021
plan_date: 2026-13-01
colour: red
overrides:
  eligibility: {{max_agee: 57}}
edits:
  - exclude_cadres: {{where: {{agee: 3}}}}
  - exclude_cadres: {{where: {{political_status: 党团员}}}}
  - drop_units: {{where: {{level: province}}, recall: true}}
  - scale_candidates: {{factor: -1}}
  - reclassify_villages: {{ids: [V1], add: [poor]}}
  - paint_villages: {{}}
solve: {{time_limit: 0}}
""",
    )
    with pytest.raises(InputError) as exc:
        load_scenarios(f)
    msgs = problems_of(exc)
    expect = [
        "key colour: unknown key; expected one of: name, description, extends",
        "key name: value 'bad name': expected a name usable as a folder name",
        "key plan_date: value '2026-13-01': expected a date like 2021-05-01",
        "key overrides.eligibility.max_agee: unknown key; expected one of: max_age",
        "key edits[0].exclude_cadres.where.agee: unknown field; expected one of: cadre_id",
        "key edits[1].exclude_cadres.where.political_status: value '党团员': expected one of "
        "member/中共党员",
        "key edits[2].drop_units.recall: unknown parameter; expected one of: where, ids, "
        "recall_incumbents",
        "key edits[3].scale_candidates.factor: value '-1': expected a number > 0",
        "key edits[4].reclassify_villages.add: value '[poor]': expected category flags",
        "key edits[5].paint_villages: unknown edit; expected one of: exclude_cadres",
        "key solve.time_limit: value '0': expected seconds > 0",
    ]
    for e in expect:
        assert any(e in m for m in msgs), (e, msgs)
    assert all(m.startswith(str(f)) for m in msgs)
    assert len(msgs) == len(expect)


def test_missing_things_are_named(tmp_path):
    f = write(tmp_path / "m.yaml", "dataset: nowhere\npolicy: hunan-2022\n")
    with pytest.raises(InputError) as exc:
        load_scenarios(f)
    msgs = problems_of(exc)
    assert any("key dataset" in m and "no such dataset" in m for m in msgs)
    assert any("key policy: value 'hunan-2022'" not in m and "no such policy" in m for m in msgs)
    assert any("key plan_date: missing (required)" in m for m in msgs)


def test_merged_policy_error_blames_the_override(tmp_path, data_dir):
    f = write(
        tmp_path / "o.yaml",
        f"dataset: {data_dir}\npolicy: hunan-2021\n"
        "plan_date: 2026-09-01\noverrides: {categories: {exited: {min: 6}}}\n",
    )
    (sc,) = load_scenarios(f)
    with pytest.raises(InputError) as exc:
        sc.load_policy()
    (msg,) = problems_of(exc)
    assert msg.startswith(str(f)) and "key overrides.categories.exited: min 6 is above max 5" in msg


def test_yaml_syntax_error_names_line(tmp_path):
    f = write(tmp_path / "y.yaml", "name: x\ndataset: [oops\n")
    with pytest.raises(InputError) as exc:
        load_scenarios(f)
    assert "row 3" in problems_of(exc)[0] or "row 2" in problems_of(exc)[0]


def test_extends_chain_and_loop(tmp_path, data_dir):
    write(
        tmp_path / "base.yaml",
        f"name: base\ndescription: b\ndataset: {data_dir}\n"
        "policy: hunan-2021\nplan_date: 2026-09-01\noverrides: {eligibility: {max_age: 50}}\n",
    )
    child = write(
        tmp_path / "child.yaml",
        "extends: base.yaml\noverrides: {teams: {joint: {enabled: false}}}\n",
    )
    (sc,) = load_scenarios(child)
    assert sc.name == "child" and sc.description == ""
    assert sc.overrides == {"eligibility": {"max_age": 50}, "teams": {"joint": {"enabled": False}}}
    write(tmp_path / "l1.yaml", "extends: l2.yaml\n")
    write(tmp_path / "l2.yaml", "extends: l1.yaml\n")
    with pytest.raises(InputError) as exc:
        load_scenarios(tmp_path / "l1.yaml")
    assert "extends loops back on itself" in problems_of(exc)[0]


def test_duplicate_names_refused(tmp_path, data_dir):
    body = f"name: same\ndataset: {data_dir}\npolicy: hunan-2021\nplan_date: 2026-09-01\n"
    a, b = write(tmp_path / "a.yaml", body), write(tmp_path / "b.yaml", body)
    with pytest.raises(InputError) as exc:
        load_scenarios(a, b)
    assert "scenario name 'same' is also used by" in problems_of(exc)[0]


# --------------------------------------------------------------------------- sweeps


def test_sweep_expands_product_in_order(tmp_path, data_dir):
    f = write(
        tmp_path / "sw.yaml",
        f"""
name: grid
dataset: {data_dir}
policy: hunan-2021
plan_date: 2026-09-01
edits: [{{scale_candidates: {{factor: 0.5}}}}]
sweep:
  overrides.eligibility.max_age: [55, null]
  edits.0.scale_candidates.factor: [0.5, 1.0]
""",
    )
    scs = load_scenarios(f)
    assert [s.name for s in scs] == [
        "grid.max_age=55.factor=0.5",
        "grid.max_age=55.factor=1",
        "grid.max_age=none.factor=0.5",
        "grid.max_age=none.factor=1",
    ]
    assert scs[1].edits == [{"scale_candidates": {"factor": 1.0}}]
    assert scs[2].overrides == {"eligibility": {"max_age": None}}


def test_sweep_bad_key_and_bad_value(tmp_path, data_dir):
    head = f"name: g\ndataset: {data_dir}\npolicy: hunan-2021\nplan_date: 2026-09-01\n"
    f = write(
        tmp_path / "a.yaml", head + "sweep: {name: [a, b], overrides.eligibility.max_age: 3}\n"
    )
    with pytest.raises(InputError) as exc:
        load_scenarios(f)
    msgs = problems_of(exc)
    assert any("key sweep.name: expected a dotted key starting with one of" in m for m in msgs)
    assert any(
        "key sweep.overrides.eligibility.max_age: value '3': expected a non-empty list" in m
        for m in msgs
    )
    f = write(tmp_path / "b.yaml", head + "sweep: {overrides.eligibility.max_age: [55, old]}\n")
    with pytest.raises(InputError) as exc:
        load_scenarios(f)
    (msg,) = problems_of(exc)
    assert "key overrides.eligibility.max_age: value 'old': expected a whole number" in msg
    assert "(sweep: overrides.eligibility.max_age=old)" in msg


def test_sweep_api(data_dir):
    base = Scenario("b", data_dir, "hunan-2021", "2026-09-01")
    scs = sweep(base, {"overrides.categories.key.min": [2, 4]})
    assert [s.name for s in scs] == ["b.min=2", "b.min=4"]
    assert scs[1].load_policy().requirements["key"].min == 4


# --------------------------------------------------------------------------- edits


def edit(ds, *edits):
    return apply_edits(ds, list(edits), DAY)


def test_exclude_cadres_marks_unavailable_but_keeps_incumbents():
    ds = small()
    new, effects = edit(
        ds,
        {"exclude_cadres": {"where": {"age": {"min": 55}}}},
        {"exclude_cadres": {"where": {"cadre_id": "C7"}}},
    )
    assert not new.cadres["C1"].available and not new.cadres["C6"].available
    assert new.cadres["C2"].available and ds.cadres["C1"].available  # base untouched
    assert "2 cadres match; 2 candidates marked unavailable (E-AVAIL), 0 serving" in effects[0]
    assert new.cadres["C7"].available and new.history == ds.history
    assert "1 cadres match; 0 candidates marked unavailable (E-AVAIL), 1 serving" in effects[1]


def test_filters_accept_chinese_and_ranges():
    ds = small()
    new, _ = edit(ds, {"exclude_cadres": {"where": {"political_status": "群众"}}})
    assert [c for c, x in new.cadres.items() if not x.available] == ["C3"]
    new, _ = edit(ds, {"exclude_cadres": {"where": {"level": "市", "skills": ["农业", "law"]}}})
    assert [c for c, x in new.cadres.items() if not x.available] == ["C4"]
    new, _ = edit(
        ds,
        {
            "exclude_cadres": {
                "where": {
                    "rank": {"min": "section", "not": "bureau"},
                    "birth_date": {"max": "1969-12-31"},
                }
            }
        },
    )
    assert [c for c, x in new.cadres.items() if not x.available] == ["C1"]


def test_drop_units_with_and_without_recall():
    ds = small()
    new, eff = edit(ds, {"drop_units": ["U2"]})
    assert {c for c, x in new.cadres.items() if not x.available} == {"C4", "C5", "C6"}
    assert new.recall == [] and "1 units send no new cadre" in eff[0]
    new, eff = edit(ds, {"drop_units": {"where": {"level": "city"}, "recall_incumbents": True}})
    assert [r.cadre_id for r in new.recall] == ["C8"] and "1 serving incumbents recalled" in eff[0]


def test_unknown_ids_are_errors():
    with pytest.raises(InputError) as exc:
        edit(small(), {"recall_cadres": ["C7", "C99"]})
    assert "key edits[0].recall_cadres.ids: value 'C99': unknown cadre id" in problems_of(exc)[0]


def test_reclassify_villages():
    ds = small()
    new, _ = edit(
        ds,
        {
            "reclassify_villages": {
                "where": {"categories": "exited"},
                "add": "weak",
                "remove": ["demo"],
            }
        },
    )
    assert new.villages["V2"].categories == {"exited", "weak"}
    assert new.villages["V3"].categories == {"exited", "weak"}
    new, _ = edit(ds, {"reclassify_villages": {"where": {"township": "甲镇"}, "set": ["重点村"]}})
    assert [v.categories for v in new.villages.values()][:3] == [{"key"}] * 3
    with pytest.raises(InputError) as exc:
        edit(ds, {"reclassify_villages": {"ids": ["V1"], "remove": ["key"]}})
    assert "leaves village V1 with no category" in problems_of(exc)[0]


def test_share_and_scale_are_seeded_and_nested():
    ds = small()
    free = {"C1", "C2", "C3", "C4", "C5", "C6"}  # C7, C8 are serving
    half, eff = edit(ds, {"scale_candidates": {"factor": 0.5, "seed": 3}})
    gone_half = {c for c, x in half.cadres.items() if not x.available}
    assert len(gone_half) == 3 and gone_half <= free
    assert "6 candidates in the pool; 3 marked unavailable, 3 remain" in eff[0]
    third, _ = edit(ds, {"scale_candidates": {"factor": 2 / 3, "seed": 3}})
    gone_third = {c for c, x in third.cadres.items() if not x.available}
    assert len(gone_third) == 2 and gone_third <= gone_half  # a smaller drop is a subset
    again, _ = edit(ds, {"scale_candidates": {"factor": 0.5, "seed": 3}})
    assert again.cadres == half.cadres
    grown, eff = edit(ds, {"scale_candidates": {"factor": 1.5, "where": {"unit_id": "U2"}}})
    clones = [c for c in grown.cadres if "-copy" in c]
    assert len(clones) == 2 and all(grown.cadres[c].unit_id == "U2" for c in clones)
    assert list(grown.cadres)[: len(ds.cadres)] == list(ds.cadres)


def test_add_units_from_a_folder(tmp_path):
    add = tmp_path / "add"
    write(
        add / "单位.csv",
        "单位编码,单位名称,层级,所属地区,在编在岗人数,x,y\nU9,新单位,县,430121,20,5,0\n",
    )
    write(
        add / "cadres.csv",
        "cadre_id,name,unit_id,birth_date,political_status,work_date\n"
        "C90,新人,U9,1990-01-01,中共党员,2012-07-01\n",
    )
    new, eff = edit(small(), {"add_units": str(add)})
    assert new.units["U9"].x == 5.0 and new.cadres["C90"].unit_id == "U9"
    assert "1 units with 1 cadres added" in eff[0]
    write(
        add / "cadres.csv",
        "cadre_id,name,unit_id,birth_date,political_status,work_date\n"
        "C90,新人,U9,1990-01-01,中共党员,2031-07-01\nC1,x,U1,1990-01-01,群众,2012-07-01\n",
    )
    with pytest.raises(InputError) as exc:
        edit(small(), {"add_units": str(add)})
    msgs = problems_of(exc)
    assert any(
        m.startswith(str(add / "cadres.csv") + ", row 3, column unit_id: value 'U1'") for m in msgs
    ), msgs


def test_dataset_tables_load_back_equal(tmp_path):
    ds = small()
    ds, _ = edit(ds, {"recall_cadres": ["C7"]}, {"scale_candidates": {"factor": 1.5}})
    write_dataset_files(dataset_tables(ds), tmp_path / "d")
    back = load_dataset(tmp_path / "d")
    assert (back.units, back.cadres, back.villages, back.history, back.recall) == (
        ds.units,
        ds.cadres,
        ds.villages,
        ds.history,
        ds.recall,
    )
    assert list(back.cadres) == list(ds.cadres)


# --------------------------------------------------------------------------- run


@pytest.fixture
def two_files(tmp_path, data_dir) -> list[Path]:
    base = write(
        tmp_path / "sc" / "base.yaml",
        "name: base\ndataset: ../data\n"
        "policy: central-2021\nplan_date: 2026-09-01\nsolve: {time_limit: 20}\n",
    )
    other = write(
        tmp_path / "sc" / "fewer.yaml",
        "extends: base.yaml\n"
        "edits: [{exclude_cadres: {where: {unit_id: U1, political_status: member}}}]\n",
    )
    return [base, other]


def test_run_folders_parallel_equal_sequential(tmp_path, two_files):
    seq = run(two_files, tmp_path / "seq", jobs=1)
    par = run(two_files, tmp_path / "par", jobs=2)
    assert [r.name for r in seq] == [r.name for r in par] == ["base", "fewer"]
    for r in seq:
        assert r.status == "OPTIMAL"
        for f in (
            "plan.csv",
            "teams.csv",
            "unstaffed.csv",
            "scenario.yaml",
            "policy.yaml",
            "dataset/cadres.csv",
        ):
            assert filecmp.cmp(r.path / f, tmp_path / "par" / r.name / f, shallow=False), f
    folder = seq[1].path
    assert {
        "plan.csv",
        "teams.csv",
        "unstaffed.csv",
        "kpis.json",
        "manifest.json",
        "plan.xlsx",
        "scenario.yaml",
        "policy.yaml",
        "dataset",
    } <= {p.name for p in folder.iterdir()}
    text = (folder / "scenario.yaml").read_text("utf-8")
    assert (
        "# edit 1 exclude_cadres: 3 cadres match; 2 candidates marked unavailable (E-AVAIL), 1 serving"
        in text
    )
    man = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert man["dataset"] == str(folder.resolve() / "dataset")
    assert set(man["input_files"]) == {p.name for p in (folder / "dataset").iterdir()}
    assert json.loads((tmp_path / "seq" / "runs.json").read_text())["runs"] == ["base", "fewer"]
    assert not [p for p in (tmp_path / "seq").iterdir() if p.name.startswith(".")]


def test_run_folder_verifies_on_its_own_and_reruns(tmp_path, two_files):
    (r,) = [x for x in run(two_files, tmp_path / "o", jobs=1) if x.name == "fewer"]
    hard = [
        v
        for v in verify_plan(r.path / "dataset", r.path, r.path / "policy.yaml")
        if v.severity == "hard"
    ]
    assert hard == []
    (again,) = run(r.path / "scenario.yaml", tmp_path / "again", jobs=1)
    assert (again.path / "plan.csv").read_bytes() == (r.path / "plan.csv").read_bytes()
    doc = yaml.safe_load((r.path / "scenario.yaml").read_text("utf-8"))
    assert doc["edits"] == [
        {"exclude_cadres": {"where": {"unit_id": "U1", "political_status": "member"}}}
    ]


def test_cli_run_and_bad_input(tmp_path, two_files, capsys):
    out = tmp_path / "cli"
    assert main(["run", *map(str, two_files), "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    assert (out / "base" / "plan.csv").is_file() and (out / "fewer" / "plan.csv").is_file()
    bad = write(tmp_path / "sc" / "bad.yaml", "extends: base.yaml\noverrides: {teams: {jont: 1}}\n")
    out2 = tmp_path / "cli2"
    assert main(["run", str(two_files[0]), str(bad), "--out", str(out2)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"{bad}, key overrides.teams.jont: unknown key; expected one of: members_from, "
        "joint, cluster"
    ]
    assert not out2.exists()


def test_readme_example_is_valid(tmp_path):
    text = (ROOT / "README.md").read_text("utf-8")
    block = text.split("# scenarios/my-question.yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "what-if").symlink_to(WHAT_IF)  # the block extends what-if/baseline.yaml
    scs = load_scenarios(write(tmp_path / "my-question.yaml", block))
    assert [s.name for s in scs] == [f"dropout-age-57.factor={x}" for x in ("0.9", "0.8", "0.7")]
    assert scs[2].edits == [{"scale_candidates": {"factor": 0.7, "seed": 1}}]
    assert scs[0].overrides == {"eligibility": {"max_age": 57}}


def test_sweep_api_name(data_dir):
    base = Scenario("b", data_dir, "hunan-2021", "2026-09-01")
    scs = sweep(base, {"plan_date": ["2026-09-01", "2027年3月"]}, name="when")
    assert [s.name for s in scs] == ["when.plan_date=2026-09-01", "when.plan_date=2027年3月"]
    assert scs[1].plan_date == date(2027, 3, 1)


def test_bad_input_found_by_the_solver_comes_back_from_workers(tmp_path, capsys):
    from factory import Pin

    ds = dataset(
        [unit("U1")],
        [cadre("C1", "U1"), cadre("C2", "U1")],
        [village("V1", "weak")],
        pins=[Pin("C1", "V1", "require")],
    )
    write_dataset_files(dataset_tables(ds), tmp_path / "d")
    head = f"dataset: {tmp_path / 'd'}\npolicy: central-2021\nplan_date: 2026-09-01\n"
    ok = write(tmp_path / "ok.yaml", head)
    bad = write(tmp_path / "bad.yaml", head + "edits: [{exclude_cadres: [C1]}]\n")
    code = main(["run", str(ok), str(bad), "--out", str(tmp_path / "o"), "--jobs", "2", "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    # the solver's pin check (P-PIN) names the pins row, the rule and the data value
    assert err[0].startswith(
        "scenario bad: pins.csv, row 2: require pin C1 → V1 is forbidden by E-AVAIL: available: no"
    )
    assert (tmp_path / "o" / "ok" / "plan.csv").is_file() and not (tmp_path / "o" / "bad").exists()
