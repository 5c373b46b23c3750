"""Issue 15 item 6: a reference plan breaks ties toward it, never at a cost in the objective."""

from __future__ import annotations

import json

from factory import DAY, cadre, dataset, unit, village

from optimizer import load_policy, solve
from optimizer.cli import main
from optimizer.plans.reference import Reference, read_reference
from optimizer.whatif.build import write_dataset_files
from optimizer.whatif.runner import run

CENTRAL = load_policy("central-2021")


def _twins():
    """Four interchangeable cadres and two key villages of two posts: many optimal plans."""
    return dataset(
        [unit("U1")], [cadre(c, "U1") for c in "ABCD"], [village("V1", "key"), village("V2", "key")]
    )


def _posts(res) -> set[tuple[str, str, str]]:
    return {(a.cadre_id, a.village_id, a.role) for a in res.assignments}


def test_reference_plan_breaks_ties_toward_it():
    plain = solve(_twins(), CENTRAL, DAY, time_limit=30)
    swap = {"V1": "V2", "V2": "V1"}
    wanted = {(c, swap[v], r) for c, v, r in _posts(plain)}  # as good, but another plan
    assert wanted != _posts(plain)
    res = solve(_twins(), CENTRAL, DAY, time_limit=30, reference=Reference(frozenset(wanted)))
    assert _posts(res) == wanted
    assert res.objective == plain.objective and res.coverage == plain.coverage
    assert any(ph["phase"] == "reference" for ph in res.phases)


def test_reference_plan_also_in_the_decomposed_solve():
    plain = solve(_twins(), CENTRAL, DAY, time_limit=30, method="decompose")
    wanted = {(c, {"V1": "V2", "V2": "V1"}[v], r) for c, v, r in _posts(plain)}
    ref = Reference(frozenset(wanted))
    res = solve(_twins(), CENTRAL, DAY, time_limit=30, method="decompose", reference=ref)
    assert _posts(res) == wanted and res.objective == plain.objective


def test_reference_plan_never_costs_a_point():
    # A has rural experience (S-EXPERT): every optimal plan posts A; the reference does not
    ds = dataset(
        [unit("U1")],
        [cadre("A", "U1", rural_years=3.0), cadre("B", "U1"), cadre("C", "U1")],
        [village("V1", "key")],
    )
    plain = solve(ds, CENTRAL, DAY, time_limit=30)
    ref = Reference(frozenset({("B", "V1", "secretary"), ("C", "V1", "member")}))
    res = solve(ds, CENTRAL, DAY, time_limit=30, reference=ref)
    assert res.objective == plain.objective and res.coverage == plain.coverage
    assert "A" in {a.cadre_id for a in res.assignments}
    # of the reference, what can be kept is kept: B or C in the role the reference gives
    assert _posts(res) & ref.postings


def test_reference_plan_is_deterministic(tmp_path):
    ref = Reference(frozenset({("D", "V1", "secretary"), ("C", "V1", "member")}))
    a = solve(_twins(), CENTRAL, DAY, time_limit=30, reference=ref)
    b = solve(_twins(), CENTRAL, DAY, time_limit=30, reference=ref)
    assert a.plan.to_csv(index=False) == b.plan.to_csv(index=False)


def test_reference_plan_from_a_folder_and_bad_folder(tmp_path, capsys):
    folder = tmp_path / "data"
    from optimizer.whatif.build import dataset_tables

    write_dataset_files(dataset_tables(_twins()), folder)
    args = ["solve", str(folder), "--policy", "central-2021", "--date", "2026-09-01", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "p1")]) == 0
    ref = read_reference(tmp_path / "p1")
    assert len(ref.postings) == 4
    assert main([*args, "--out", str(tmp_path / "p2"), "--reference", str(tmp_path / "p1")]) == 0
    assert (tmp_path / "p1" / "plan.csv").read_text() == (tmp_path / "p2" / "plan.csv").read_text()
    assert main([*args, "--out", str(tmp_path / "p3"), "--reference", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "Traceback" not in err
    assert not (tmp_path / "p3").exists()


def test_reference_plan_in_run_defaults_to_the_baseline(tmp_path):
    from optimizer.whatif.build import dataset_tables

    write_dataset_files(dataset_tables(_twins()), tmp_path / "data")
    sc = tmp_path / "sc"
    sc.mkdir()
    (sc / "base.yaml").write_text(
        "name: base\ndataset: ../data\npolicy: central-2021\n"
        "plan_date: 2026-09-01\nsolve: {time_limit: 20}\n",
        "utf-8",
    )
    (sc / "child.yaml").write_text(
        "extends: base.yaml\noverrides: {eligibility: {max_age: 60}}\n", "utf-8"
    )

    def phases(name: str) -> list[str]:
        doc = json.loads((tmp_path / "out" / name / "manifest.json").read_text("utf-8"))
        return [p["phase"] for p in doc["phases"]]

    run([sc / "base.yaml", sc / "child.yaml"], tmp_path / "out", jobs=2)
    assert "reference" not in phases("base") and "reference" in phases("child")
    # the run folder re-runs with the same tie-break: its scenario.yaml names the baseline run
    assert "reference: ../base" in (tmp_path / "out" / "child" / "scenario.yaml").read_text("utf-8")
    base = (tmp_path / "out" / "base" / "plan.csv").read_text()
    assert (tmp_path / "out" / "child" / "plan.csv").read_text() == base
    (tmp_path / "out" / "child" / "plan.csv").unlink()
    run([sc / "child.yaml"], tmp_path / "out", jobs=1)  # the baseline's folder is read
    assert "reference" in phases("child")


def test_reference_plan_key_in_a_scenario_file(tmp_path):
    from optimizer.data.errors import InputError
    from optimizer.whatif.build import dataset_tables
    from optimizer.whatif.files import load_scenarios

    write_dataset_files(dataset_tables(_twins()), tmp_path / "data")
    head = "dataset: data\npolicy: central-2021\nplan_date: 2026-09-01\n"
    (tmp_path / "a.yaml").write_text(head + "solve: {reference: runs/base}\n", "utf-8")
    (sc,) = load_scenarios(tmp_path / "a.yaml")
    assert sc.reference == (tmp_path / "runs" / "base").resolve()
    (tmp_path / "b.yaml").write_text(head + "solve: {reference: 3}\n", "utf-8")
    try:
        load_scenarios(tmp_path / "b.yaml")
    except InputError as exc:
        assert [p.key for p in exc.problems] == ["solve.reference"]
    else:
        raise AssertionError("a number is not a plan folder")
