"""Posts proven by the team LP's integer program (:mod:`optimizer.scale.lpproof`): a count
is proven only when nothing fills more, and a proof holds only for plans as good before."""

from __future__ import annotations

import threading
import time

import numpy as np
from factory import DAY
from test_lpmip import ORDER, near_and_far, tiny_program

from optimizer import load_policy
from optimizer.model.params import Tuning
from optimizer.rules.instance import build_instance
from optimizer.scale.blockserve import solve_one
from optimizer.scale.flow import relax
from optimizer.scale.lp import TeamLp
from optimizer.scale.lpproof import CountProof, beaten, prove_counts


def rel():
    return relax(build_instance(near_and_far(), load_policy("central-2021"), DAY))


def test_a_bound_cuts_off_every_solution_as_good_and_says_so():
    """max x + y, x + y ≤ 1.5, integer: the best is 1; told to beat 1, there is nothing."""
    assert solve_one((*tiny_program(), -1.5), time.monotonic() + 30) == (None, True)
    x, _ = solve_one((*tiny_program(), -0.5), time.monotonic() + 30)
    assert x is not None and sorted(np.round(x).tolist()) == [0.0, 1.0]


def test_the_integer_program_proves_the_most_posts_and_not_one_fewer():
    r = rel()
    lp = TeamLp(r, Tuning(), True, classes=dict.fromkeys(ORDER, 0), only="weak")
    assert beaten(lp, 2, time.monotonic() + 30, None)
    assert not beaten(lp, 1, time.monotonic() + 30, None)


def test_prove_counts_proves_a_plan_filling_the_most_and_not_one_filling_less():
    r = rel()
    assert prove_counts(r, Tuning(), ORDER, {"weak": 2}, ["weak"], (), None) == {"weak": 2}
    assert prove_counts(r, Tuning(), ORDER, {"weak": 1}, ["weak"], (), None) == {}


def test_a_proof_holds_only_for_plans_as_good_in_the_classes_before():
    proof = CountProof.__new__(CountProof)
    proof.reached, proof.order = {"weak": 5, "key": 9}, ["weak", "key"]
    proof.proven, proof.cancel = {"key": 9}, threading.Event()
    proof.thread = threading.Thread(target=lambda: None)
    proof.thread.start()
    assert proof.bound({"weak": 5, "key": 8}, 1.0) == {"key": 9}
    assert proof.bound({"weak": 6, "key": 7}, 1.0) == {"key": 9}
    assert proof.bound({"weak": 4, "key": 9}, 1.0) == {}
    assert proof.cancel.is_set()
