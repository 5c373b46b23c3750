"""The exact solve's stages hand their plans on: every hint sets every variable (a partial
one and CP-SAT starts afresh), and a stage the clock cuts before its first plan leaves the
last stage's plan standing, not the greedy start."""

from __future__ import annotations

from factory import DAY, Pin, cadre, dataset, unit, village

from optimizer import load_policy, solve
from optimizer.model import exact, lexorder
from optimizer.model.build import build_model
from optimizer.model.cpsat import hint_from, set_params
from optimizer.model.greedy import add_hint, greedy
from optimizer.model.result import Status
from optimizer.rules.instance import build_instance


def pinned_joint():
    """Small units that may team up (J-JOINT's variables) and a require pin (P-PIN's)."""
    units = [unit("S1", staff=10), unit("S2", staff=10), unit("U3", x=40)]
    cadres = [cadre(f"s{i}", "S1") for i in range(3)] + [cadre(f"t{i}", "S2") for i in range(3)]
    cadres += [cadre(f"u{i}", "U3") for i in range(4)]
    villages = [village("W1", "weak"), village("K1", "key", x=5), village("K2", "key", x=40)]
    return dataset(units, cadres, villages, pins=[Pin("u0", "K2", "require", "secretary")])


def empty_start(monkeypatch, run_phase) -> None:
    """A greedy start that fills nothing (every class needs a search), searches by
    ``run_phase``."""
    empty = {"t": {}, "n": {}, "a": {}, "at": {}}
    monkeypatch.setattr(exact, "run_phase", run_phase)
    monkeypatch.setattr(exact, "best_start", lambda *a, **k: empty)


def three_classes():
    """Three people of one unit, three villages of three classes."""
    return dataset(
        [unit("U1")],
        [cadre(f"c{i}", "U1") for i in range(3)],
        [village("W", "weak"), village("K", "key"), village("R", "relocation", x=30)],
    )


def hinted(pm) -> tuple[int, int]:
    proto = pm.m.proto
    return len(set(proto.solution_hint.vars)), len(proto.variables)


def test_every_hint_sets_every_variable():
    inst = build_instance(pinned_joint(), load_policy("hunan-2021"), DAY)
    pm = build_model(inst)
    assert pm.pin_role  # the require pin's role choice is a variable of its own
    add_hint(pm, greedy(pm))
    got, every = hinted(pm)
    assert got == every
    solver = exact.cp_model.CpSolver()
    set_params(solver, 0, 1, 10.0, None)
    pm.m.maximize(sum(pm.filled.values()))
    assert solver.solve(pm.m) == exact.cp_model.OPTIMAL
    hint_from(pm, solver)
    got, every = hinted(pm)
    assert got == every


def test_a_stage_cut_before_its_first_plan_leaves_the_last_stages_plan(monkeypatch):
    """The greedy start here fills nothing; the first search (weak, then key) fills the weak
    village and one of the key village's two posts with the one person left, and is stopped
    by the clock (as if) before it proves it; the key class's search is then cut before its
    first plan. The first search's plan stands (before: the empty start did, 'not improved
    by the solver')."""
    real, calls = exact.run_phase, []

    def run_phase(solver, m, res, record, *args, **kw):
        calls.append(record)
        if len(calls) > 1:  # the second class's search: out of time, no plan
            res.status = Status.UNKNOWN
            return None
        real(solver, m, res, record, *args, **kw)
        return exact.cp_model.FEASIBLE  # a plan, not proven

    empty_start(monkeypatch, run_phase)
    ds = dataset(
        [unit("U1")],
        [cadre(f"c{i}", "U1") for i in range(2)],
        [village("W", "weak"), village("K", "key")],
    )
    res = solve(ds, load_policy("central-2021"), DAY, method="exact", time_limit=20)
    assert [r["classes"] for r in calls] == [["weak", "key"], ["key"]]
    assert res.status == "FEASIBLE" and not res.coverage_proven
    assert res.coverage == {"weak": (1, 1), "key": (1, 2)}
    assert not any("not improved by the solver" in n for n in res.notes)
    assert {a.village_id for a in res.assignments} == {"W", "K"}


def test_lex_weights_rank_a_post_above_every_later_class_together():
    required = {"weak": 3, "key": 4, "exited": 5}
    w = lexorder.lex_weights(list(required), required)
    assert w["exited"] == 1
    assert w["key"] > w["exited"] * required["exited"]
    assert w["weak"] > w["key"] * required["key"] + w["exited"] * required["exited"]
    assert lexorder.lex_group(list(required), required) == list(required)
    huge = {k: 10**6 for k in ("weak", "key", "relocation", "exited", "heavy")}
    group = lexorder.lex_group(list(huge), huge)
    assert 1 < len(group) < len(huge)  # no overflow of CP-SAT's int64 objective
    w = lexorder.lex_weights(group, huge)
    assert sum(w[k] * huge[k] for k in group) < 2**62


def test_one_search_proves_every_class_in_order(monkeypatch):
    """With a start that fills nothing, the first coverage search has every class in one
    lexicographic objective; its optimum proves them all (before: one search per class)."""
    real, calls = exact.run_phase, []

    def run_phase(solver, m, res, record, *args, **kw):
        calls.append(record)
        return real(solver, m, res, record, *args, **kw)

    empty_start(monkeypatch, run_phase)
    ds = three_classes()
    res = solve(ds, load_policy("central-2021"), DAY, method="exact", time_limit=20)
    assert [r["classes"] for r in calls] == [["weak", "key", "relocation"]]
    assert res.coverage_proven
    assert res.coverage["weak"] == (1, 1) and res.coverage["key"] == (2, 2)


def test_a_coverage_search_keeps_its_hint_through_presolve(monkeypatch):
    """The coverage search starts from a complete hint (the greedy start or the last
    search's plan); presolve must keep every feasible solution, or its symmetry reductions
    may break the hint and CP-SAT repairs it into a plan below its start (a county of 372
    villages under hebei-2018: 38 s below the start, the start then stood unimproved)."""
    real, seen = exact.run_phase, []

    def run_phase(solver, m, res, record, *args, **kw):
        status = real(solver, m, res, record, *args, **kw)
        if record.get("phase") == "coverage":
            seen.append(solver.parameters.keep_all_feasible_solutions_in_presolve)
        return status

    empty_start(monkeypatch, run_phase)
    ds = three_classes()
    res = solve(ds, load_policy("central-2021"), DAY, method="exact", time_limit=20)
    assert seen == [True] and res.coverage_proven
    solver = exact.cp_model.CpSolver()
    set_params(solver, 0, 1, 10.0, None)  # the soft stage clears its hints: presolve in full
    assert not solver.parameters.keep_all_feasible_solutions_in_presolve
