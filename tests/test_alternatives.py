"""Issue 19 item 5: the ranked alternatives for a post of a plan, on tiny exact instances.

Each test solves a tiny dataset, writes the plan folder and asks who else could take a post:
a cadre a hard rule bars there never appears, the ranking is the ``posting_points``
difference, and a cadre posted elsewhere is a move that opens their post.
"""

from __future__ import annotations

from datetime import date

from factory import DAY, Pin, Posting, cadre, dataset, unit, village

from optimizer import load_policy, solve
from optimizer.plans.alternatives import post_alternatives
from optimizer.plans.build import write_plan
from optimizer.rules.instance import build_instance
from optimizer.rules.scoring import posting_points

LAST = (date(2024, 9, 1), date(2026, 9, 1))
"""The previous period: a posting that ends on the plan date has ended (SPEC §3)."""


def alternatives(tmp_path, ds, vid, role, preset="central-2021", overrides=None, holder=None):
    """Solve, write the plan folder, and list the post's alternatives; also the plan."""
    pol = load_policy(preset, overrides)
    res = solve(ds, pol, DAY, time_limit=10, seed=0, workers=1)
    assert res.status == "OPTIMAL", res.notes
    write_plan(res.tables, tmp_path / "plan")
    alts = post_alternatives(ds, pol, DAY, tmp_path / "plan", vid, role, holder=holder)
    return alts, {(a.cadre_id, a.village_id, a.role) for a in res.assignments}


def three_units():
    units = [unit("U1", x=0), unit("U2", x=10), unit("U3", x=30)]
    born = date(1990, 1, 1)  # 36 on the plan date; A is 41
    cs = [cadre("A", "U1"), cadre("B", "U2", young_pool=True, birth_date=born),
          cadre("C", "U3", birth_date=born)]  # fmt: skip
    return units, cs


def test_ranked_by_the_posting_points_difference(tmp_path):
    units, cs = three_units()
    ds = dataset(units, cs, [village("V1", "weak")])
    alts, plan = alternatives(tmp_path, ds, "V1", "secretary")
    assert plan == {("B", "V1", "secretary")}  # young (+50) at 10 km beats A (0) and C (−30)
    inst = build_instance(ds, load_policy("central-2021"), DAY)
    pts = {c: posting_points(inst, c, "V1", "secretary", person_fit=True) for c in "ABC"}
    assert [a.cadre_id for a in alts] == ["A", "C"]
    for a in alts:
        assert a.points == pts[a.cadre_id] and a.total == sum(pts[a.cadre_id].values())
        assert a.delta == a.change == a.total - sum(pts["B"].values())
        assert a.free and a.unit_name == f"单位{a.unit_id}" and a.name == f"干部{a.cadre_id}"
    assert [a.delta for a in alts] == [-40, -70]


def test_ties_by_cadre_id_and_limit(tmp_path):
    units = [unit("U1", x=0)]
    cs = [cadre(c, "U1") for c in ("H", "D", "F", "E")]
    alts, plan = alternatives(tmp_path, dataset(units, cs, [village("V1", "weak")]), "V1",
                              "secretary")  # fmt: skip
    holder = next(c for c, *_ in plan)
    assert [a.cadre_id for a in alts] == sorted({"D", "E", "F", "H"} - {holder})
    assert {a.delta for a in alts} == {0}


def test_a_posted_cadre_is_a_move_that_opens_their_post(tmp_path):
    # young A (U1) and C (U3) at the villages nearest them; B (U2) is free
    units = [unit("U1", x=0), unit("U2", x=0), unit("U3", x=40)]
    cs = [cadre("A", "U1", young_pool=True), cadre("B", "U2"), cadre("C", "U3", young_pool=True)]
    vs = [village("V1", "weak", x=10), village("V2", "weak", x=30)]
    alts, plan = alternatives(tmp_path, dataset(units, cs, vs), "V1", "secretary")
    assert plan == {("A", "V1", "secretary"), ("C", "V2", "secretary")}
    by = {a.cadre_id: a for a in alts}
    assert by["B"].free and (by["B"].delta, by["B"].change) == (-50, -50)
    c = by["C"]  # C at V1: 50 − 30 km beats B, but loses 50 − 10 km at V2, the post it opens
    assert not c.free and (c.now_at, c.now_role) == ("V2", "secretary")
    assert (c.total, c.delta, c.opens, c.change) == (20, 20 - 40, 40, -60)
    assert [a.cadre_id for a in alts] == ["B", "C"]  # the plan's change ranks, not the delta


def test_E_AGE_an_ineligible_cadre_never_appears(tmp_path):
    units, cs = three_units()
    cs.append(cadre("OLD", "U1", birth_date=date(1962, 1, 1)))
    alts, _ = alternatives(tmp_path, dataset(units, cs, [village("V1", "weak")]), "V1",
                           "secretary", overrides={"eligibility": {"max_age": 60}})  # fmt: skip
    assert [a.cadre_id for a in alts] == ["A", "C"]  # OLD is 64 on the plan date
    # a lower cap bars A (41) too
    alts, _ = alternatives(tmp_path / "cap", dataset(units, cs, [village("V1", "weak")]), "V1",
                           "secretary", overrides={"eligibility": {"max_age": 40}})  # fmt: skip
    assert [a.cadre_id for a in alts] == ["C"]


def test_H_NOREPEAT_a_former_cadre_of_the_village_never_appears(tmp_path):
    units, cs = three_units()
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2016, 9, 1), date(2018, 9, 1))]
    ds = dataset(units, cs, [village("V1", "weak")], history=hist)
    alts, _ = alternatives(tmp_path, ds, "V1", "secretary")
    assert [a.cadre_id for a in alts] == ["C"]


def test_T_UNIT_a_member_comes_from_the_lead_unit(tmp_path):
    units = [unit("U1", x=0), unit("U2", x=0)]
    cs = [cadre("A", "U1"), cadre("M", "U1", work_date=date(2026, 1, 1)),
          cadre("N", "U1", political_status="none", party_date=None), cadre("P", "U2")]  # fmt: skip
    two = {"categories": {"key": {"min": 2, "max": 2}}}
    ds = dataset(units, cs, [village("V1", "key")])
    alts, plan = alternatives(tmp_path, ds, "V1", "member", overrides=two)
    assert plan == {("A", "V1", "secretary"), ("M", "V1", "member")}
    # P of U2 may not join U1's team; A serves there already (not an alternative)
    assert [a.cadre_id for a in alts] == ["N"]
    assert alts[0].delta == alts[0].change == -100  # N is no party member (S-PARTY)
    # the secretary's post: M (member only, E-SEC-WORKYRS) stays, so P of U2 may not lead
    pol = load_policy("central-2021", two)
    assert post_alternatives(ds, pol, DAY, tmp_path / "plan", "V1", "secretary") == []
    # without the member a U2 secretary would do: T-UNIT is what bars P
    solo = dataset([unit("U1", x=0), unit("U2", x=10)], [cs[0], cs[3]], [village("V1", "weak")])
    alts, _ = alternatives(tmp_path / "solo", solo, "V1", "secretary")
    assert [a.cadre_id for a in alts] == ["P"]


def test_H_CONTINUITY_hard_only_the_unit_that_keeps_the_village(tmp_path):
    hist = [Posting("X", "U2", "V1", "county", "secretary", *LAST)]
    units = [unit("U1", x=0), unit("U2", x=50)]
    cs = [cadre("A", "U1", young_pool=True), cadre("B", "U2"), cadre("B2", "U2")]
    ds = dataset(units, cs, [village("V1", "key")], history=hist)
    one = {"categories": {"key": {"min": 1, "max": 1}}}
    alts, plan = alternatives(tmp_path, ds, "V1", "secretary", "hebei-2018", one)
    assert plan == {("B", "V1", "secretary")}
    assert [a.cadre_id for a in alts] == ["B2"]
    soft = {**one, "history": {"continuity": "soft"}}
    alts, plan = alternatives(tmp_path / "soft", ds, "V1", "secretary", "hebei-2018", soft)
    assert {a.cadre_id for a in alts} == {"A", "B", "B2"} - {next(c for c, *_ in plan)}


def test_J_JOINT_a_member_may_come_from_a_small_partner_unit_only(tmp_path):
    units = [unit("U1", staff=20), unit("U2", staff=20), unit("U3", staff=100)]
    cs = [cadre("A", "U1"), cadre("B", "U1"), cadre("C", "U2"), cadre("D", "U2"),
          cadre("E", "U3")]  # fmt: skip
    ds = dataset(units, cs, [village("V1", "key")])
    pol = load_policy("hunan-2021")
    res = solve(ds, pol, DAY, time_limit=10, seed=0, workers=1)
    write_plan(res.tables, tmp_path / "plan")
    team = {a.cadre_id: a.role for a in res.assignments}
    assert len(team) == 3 and res.tables.teams.unit_ids.iloc[0] == "U1;U2"
    (free,) = set("ABCD") - set(team)
    for cid, role in team.items():
        alts = post_alternatives(ds, pol, DAY, tmp_path / "plan", "V1", role, holder=cid)
        assert [a.cadre_id for a in alts] == [free]  # E's unit is too big for a joint team


def test_P_PIN_a_pinned_holder_keeps_the_post(tmp_path):
    units, cs = three_units()
    ds = dataset(units, cs, [village("V1", "weak")], pins=[Pin("A", "V1", "require")])
    alts, plan = alternatives(tmp_path, ds, "V1", "secretary")
    assert plan == {("A", "V1", "secretary")} and alts == []


def test_free_cadres_come_before_moves(tmp_path):
    # moving C (young, at V2) costs the plan's points less (−20) than the free B (−50), but
    # it opens V2: the plan fills posts before it counts points
    units = [unit("U1", x=0), unit("U2", x=0), unit("U3", x=10)]
    cs = [cadre("A", "U1", young_pool=True), cadre("B", "U2"), cadre("C", "U3", young_pool=True)]
    vs = [village("V1", "weak", x=0), village("V2", "weak", x=50)]
    alts, plan = alternatives(tmp_path, dataset(units, cs, vs), "V1", "secretary")
    assert plan == {("A", "V1", "secretary"), ("C", "V2", "secretary")}
    assert [(a.cadre_id, a.free, a.change) for a in alts] == [("B", True, -50), ("C", False, -20)]
