"""Issue 19 item 6: a re-solve after pins changes as few postings as coverage allows
(``optimizer.terms.adjust.resolve_with_pins``): coverage per class first, then changes, then
points — where the tie-break reference keeps every point and may move more people."""

from __future__ import annotations

import itertools

from factory import DAY, cadre, dataset, unit, village

from optimizer import load_policy, solve
from optimizer.data.domain import Pin
from optimizer.plans.build import write_plan
from optimizer.plans.reference import read_reference
from optimizer.terms.adjust import resolve_with_pins, with_pins, write_adjusted

CENTRAL = load_policy("central-2021")
OLD = {("A", "V1", "secretary"), ("B", "V1", "member"), ("C", "V2", "secretary"),
       ("D", "V2", "member")}  # fmt: skip
"""The old plan: four plain cadres; E and F (rural experience: S-EXPERT points) left free."""


def _county():
    people = [cadre(c, "U1") for c in "ABCD"]
    people += [cadre(c, "U1", rural_years=3.0) for c in "EF"]
    return dataset([unit("U1")], people, [village("V1", "key"), village("V2", "key")])


def _old_plan(tmp_path):
    pins = [Pin(c, v, "require", r) for c, v, r in sorted(OLD)]
    res = solve(dataset_with(pins), CENTRAL, DAY, time_limit=30)
    assert {(a.cadre_id, a.village_id, a.role) for a in res.assignments} == OLD
    write_plan(res.tables, tmp_path / "old")
    return tmp_path / "old"


def dataset_with(pins):
    return with_pins(_county(), pins)


def _changed(posts: set[tuple[str, str, str]]) -> int:
    old = {c: (v, r) for c, v, r in OLD}
    new = {c: (v, r) for c, v, r in posts}
    return sum(1 for c in old.keys() | new.keys() if old.get(c) != new.get(c))


def test_resolve_with_pins_changes_the_fewest_postings(tmp_path):
    old = _old_plan(tmp_path)
    forbid = [Pin("A", "V1", "forbid")]
    adj = resolve_with_pins(_county(), old, CENTRAL, forbid, time_limit=30)
    posts = {(a.cadre_id, a.village_id, a.role) for a in adj.result.assignments}
    assert ("A", "V1", "secretary") not in posts
    assert adj.result.coverage == {k: (q, q) for k, (_f, q) in adj.result.coverage.items()}
    # fewest possible: every way to staff the four posts without A at V1 changes at least 2
    seats = [("V1", "secretary"), ("V1", "member"), ("V2", "secretary"), ("V2", "member")]
    least = min(
        _changed({(c, v, r) for c, (v, r) in zip(who, seats, strict=True)})
        for who in itertools.permutations("ABCDEF", 4)
        if who[0] != "A" and who[1] != "A"
    )
    assert least == 2 and adj.changed == _changed(posts) == least
    assert set(adj.changes.kind) <= {"removed", "added", "moved", "role"}
    # the tie-break reference keeps every point (E and F both posted) and moves more people
    ties = solve(dataset_with(forbid), CENTRAL, DAY, time_limit=30,
                 reference=read_reference(old))  # fmt: skip
    tie_posts = {(a.cadre_id, a.village_id, a.role) for a in ties.assignments}
    assert _changed(tie_posts) > adj.changed
    assert ties.objective > adj.result.objective  # the points are what minimal change gives up
    write_adjusted(adj, tmp_path / "new")
    assert (tmp_path / "new" / "changes.csv").read_text(encoding="utf-8-sig").count("\n") == 3


def test_a_pin_the_old_plan_already_meets_changes_nothing(tmp_path):
    old = _old_plan(tmp_path)
    adj = resolve_with_pins(_county(), old, CENTRAL, [Pin("C", "V2", "require")], time_limit=30)
    assert adj.changed == 0 and adj.changes.empty


def test_with_pins_replaces_a_cadres_earlier_require_pin():
    ds = with_pins(_county(), [Pin("A", "V1", "require")])
    ds = with_pins(ds, [Pin("A", "V2", "require"), Pin("B", "V1", "forbid")])
    assert {(p.cadre_id, p.village_id, p.kind) for p in ds.pins} == {
        ("A", "V2", "require"),
        ("B", "V1", "forbid"),
    }
