"""A county part's model on a shortlist of (unit, village) pairs (optimizer.model.shortlist):
what is kept on a tiny exact instance, and decomposed plans of a realistic county split in
two, on a very narrow shortlist, verify clean and fill as much as the greedy floor."""

from __future__ import annotations

import pytest
from factory import DAY, cadre, dataset, split_in_two, unit, village
from test_decompose import B

from optimizer import load_policy, solve
from optimizer.data.domain import Pin, Posting
from optimizer.data.generate import generate, write_dataset
from optimizer.data.loading import load_dataset
from optimizer.model import shortlist
from optimizer.model.lexorder import lex
from optimizer.model.params import Tuning
from optimizer.model.shape import build_shape
from optimizer.model.shortlist import PER_UNIT, narrow
from optimizer.plans.build import write_plan
from optimizer.rules.instance import build_instance
from optimizer.scale.floor import province_greedy
from optimizer.verify import verify_plan


def row(pins=(), history=()):
    """Twelve villages 10 km apart in a row, a county unit beside each with one cadre."""
    units = [unit(f"U{i:02d}", x=10.0 * i) for i in range(12)]
    cadres = [cadre(f"c{i:02d}", f"U{i:02d}") for i in range(12)]
    villages = [village(f"V{i:02d}", "exited", x=10.0 * i) for i in range(12)]
    return dataset(units, cadres, villages, pins=pins, history=history)


def pairs(shape):
    return set(shape.sec_room) | set(shape.mem_room)


def test_shortlist_keeps_each_villages_nearest_units_and_each_units_nearest_villages():
    inst = build_instance(row(), load_policy("central-2021"), DAY)
    shape = build_shape(inst)
    assert ("U00", "V11") in pairs(shape)
    cut = narrow(shape, {("U11", "V00")}, 3)
    kept = pairs(shape)
    assert cut == 144 - len(kept) > 0
    for i in range(12):  # the village's three nearest units, the unit's nearest villages
        near = sorted(range(12), key=lambda j: (abs(i - j), j))
        assert {(f"U{j:02d}", f"V{i:02d}") for j in near[:3]} <= kept
        assert {(f"U{i:02d}", f"V{j:02d}") for j in near[:PER_UNIT]} <= kept
    assert ("U00", "V11") not in kept and ("U00", "V11") not in shape.sizes
    assert ("U11", "V00") in kept  # the start's pair stays, however far
    assert all(("U00", v) in kept for v in shape.villages_of["U00"])
    assert all((u, "V11") in kept for u in shape.units_at["V11"])


def test_shortlist_keeps_a_require_pin_and_an_incumbents_unit():
    pin = Pin("c00", "V11", "require", "secretary")
    served = Posting("c01", "U01", "V10", "county", "secretary", DAY.replace(year=2025))
    inst = build_instance(row([pin], [served]), load_policy("central-2021"), DAY)
    shape = build_shape(inst)
    narrow(shape, set(), 1)
    assert ("U00", "V11") in pairs(shape)
    assert "U01" in shape.units_at["V10"]


@pytest.fixture(scope="module")
def split_county(tmp_path_factory):
    """A realistic generated county (shortage, replacements, recalls, must-send units, pins)
    with half its townships moved to a second county: every part has province and city units
    at every village, so a shortlist drops pairs."""
    from benchmarks.realistic import make_realistic

    out = tmp_path_factory.mktemp("split") / "d"
    write_dataset(make_realistic(generate("county", 3, DAY), 3, DAY), out)
    return split_in_two(load_dataset(out, plan_date=DAY), B)


@pytest.mark.parametrize("preset", ["central-2021", "hunan-2021", "hebei-2018"])
def test_decomposed_plans_on_a_narrow_shortlist_verify_and_keep_the_floor(
    split_county, tmp_path, monkeypatch, preset
):
    monkeypatch.setattr(shortlist, "PER_UNIT", 1)
    monkeypatch.setattr(shortlist, "PER_PERSON", 0)
    cuts: list[int] = []
    narrow_ = shortlist.narrow
    monkeypatch.setattr(shortlist, "narrow", lambda *a: cuts.append(narrow_(*a)) or cuts[-1])
    ds, policy = split_county, load_policy(preset)
    res = solve(ds, policy, DAY, method="decompose", time_limit=12, tuning=Tuning(part_shortlist=2))
    assert res.has_plan, (res.status, res.notes)
    if preset != "hebei-2018":  # every post fillable: the parts' starts fill them, narrowed
        assert cuts and max(cuts) > 100
    floor = province_greedy(res.instance)
    assert floor.valid
    mine: dict[str, int] = {}
    for cov in floor.coverage.values():
        for c, f in cov.items():
            mine[c] = mine.get(c, 0) + f
    assert lex({c: f for c, (f, _q) in res.coverage.items()}) >= lex(mine)
    write_plan(res.tables, tmp_path / "plan")
    hard = [v for v in verify_plan(ds, tmp_path / "plan", policy, DAY) if v.severity == "hard"]
    assert hard == [], [(v.rule, v.village_id, v.cadre_id, v.detail_en) for v in hard]
