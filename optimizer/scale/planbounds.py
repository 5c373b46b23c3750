"""A decomposed plan's bounds (:class:`~optimizer.scale.decompose.Decomposition`): posts per
class and soft points, from the flow, the LP, and the integer programs that prove more."""

from __future__ import annotations

import math

from optimizer.scale.lpbounds import LATE_LP, PARTIAL_LP


def plan_bounds(dec, res) -> None:
    """Coverage bound per class (max flow), the LP's tighter count when it is ready, and
    the soft bound for the coverage reached."""
    lp = dec.lp
    lp.wait(dec.outer.left() - 0.2)
    filled = sum(f for f, _ in res.coverage.values())
    posts, got = lp.posts_now(), {c: f for c, (f, _q) in res.coverage.items()}
    lp_bound, final = lp.bound_for(filled, got)
    soft = math.nan if dec.soft is None else dec.soft.bound_for(filled, got)
    if soft == soft and not soft >= lp_bound:  # the soft program's, proven (NaN: none)
        lp_bound, final = soft, True
    most = min(dec.posts_bound, posts if posts is not None else dec.posts_bound)
    by_lp = lp.class_bound(got)  # the LP's per-class counts, where they hold for this plan
    for c, n in (dec.proof.bound(got, dec.outer.left() - 0.2) if dec.proof else {}).items():
        by_lp[c] = min(n, by_lp.get(c, n))  # proven by the integer program
    # and the most posts less the plan's in the classes before (SPEC §3's order): when the
    # LP's class counts are not done (a realistic city under hebei-2018: exited 145 → 20)
    res.coverage_bound, before = {}, 0
    for c, (f, q) in res.coverage.items():  # in class order
        res.coverage_bound[c] = min(q, dec.class_bound.get(c, q), by_lp.get(c, q),
                                    most - before)  # fmt: skip
        before += f
    # every class at its bound: the most in SPEC §3's order (the exact model's sense)
    by_class = all(got[c] >= res.coverage_bound[c] for c in got)
    res.posts_bound = filled if by_class else max(filled, most)
    res.coverage_proven = filled >= most or by_class
    # the flow's soft bound holds for plans filling its most posts; a plan filling fewer is
    # bounded by the best flow of any size
    bound = dec.rel.bound if filled >= dec.rel.max_posts else dec.rel.any_bound
    used = lp_bound < bound  # False when NaN
    bound = lp_bound if used else bound
    res.bound = max(bound, res.objective)
    res.gap = (res.bound - res.objective) / max(1.0, abs(res.objective))
    if math.isnan(lp_bound) or not final:  # a round's bound worse than the flow's: late
        res.notes.append(PARTIAL_LP if used else LATE_LP)
    if not res.coverage_proven:
        res.notes.append(
            f"decomposition: {filled} required posts filled; at most "
            f"{res.posts_bound} can be ({res.posts_bound - filled} in doubt)"
        )
    dec.say(f"bounds: at most {res.posts_bound} required posts, soft bound {res.bound:.0f}")


__all__ = ["plan_bounds"]
