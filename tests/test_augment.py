"""The greedy plan's augmenting swaps (optimizer.model.augment) on tiny exact instances."""

from __future__ import annotations

from datetime import timedelta

from factory import DAY, Posting, cadre, dataset, unit, village

from optimizer import load_policy
from optimizer.model.augment import augmented
from optimizer.model.greedy import greedy, greedy_coverage, greedy_is_valid
from optimizer.model.shape import build_shape
from optimizer.rules.instance import build_instance

START, END = DAY - timedelta(days=3 * 365), DAY - timedelta(days=365)


def shape_of(ds):
    return build_shape(build_instance(ds, load_policy("hunan-2021"), DAY))


def filled(shape, sol) -> int:
    return sum(greedy_coverage(shape, sol).values())


def test_augment_frees_a_person_whose_colleague_can_take_their_post():
    """W (weak) comes first and gets a0; V, later, may not have a1 (H-NOREPEAT: a1 served
    there). Swapping a1 in at W frees a0 for V: both villages staffed."""
    ds = dataset(
        [unit("K")],
        [cadre("a0", "K"), cadre("a1", "K")],
        [village("W", "weak"), village("V", "exited")],
        history=[Posting("a1", "K", "V", "county", "secretary", START, END)],
    )
    shape = shape_of(ds)
    assert filled(shape, greedy(shape)) == 1
    sol = augmented(shape)
    assert filled(shape, sol) == 2 and greedy_is_valid(shape, sol)
    assert {(c, v) for c, v, _r in sol["at"]} == {("a1", "W"), ("a0", "V")}


def test_augment_hands_a_team_over_to_another_unit():
    """W gets the nearer unit K1's only person; V may only have K1's (H-NOREPEAT bars K2's
    b0). K2 takes W over, so K1's a0 is free for V."""
    ds = dataset(
        [unit("K1", x=0), unit("K2", x=30)],
        [cadre("a0", "K1"), cadre("b0", "K2")],
        [village("W", "weak", x=1), village("V", "exited", x=2)],
        history=[Posting("b0", "K2", "V", "county", "secretary", START, END)],
    )
    shape = shape_of(ds)
    assert filled(shape, greedy(shape, near_first=True)) == 1
    sol = augmented(shape, near_first=True)
    assert filled(shape, sol) == 2 and greedy_is_valid(shape, sol)
    assert {(c, v) for c, v, _r in sol["at"]} == {("b0", "W"), ("a0", "V")}
