"""How to solve, as data (PyVRP's way: parameters are values, not flags or module constants)."""

from __future__ import annotations

from dataclasses import dataclass, field

METHODS = ("auto", "exact", "decompose")


@dataclass(frozen=True)
class Tuning:
    """The algorithm's settings, each measured on the reference machine (2 cores); the
    defaults are what the benchmarks in ``docs/benchmarks.md`` ran with."""

    decompose_villages: int = 600
    """``method="auto"`` decomposes from this many villages to staff (over several counties)."""
    model_seconds_per_pair: float = 1e-4
    """Building the master model takes about this long per (unit, village) pair (sample
    county: 11,000 pairs, 0.8–1.1 s): with less time left, the greedy plan is the answer."""
    tie_share: float = 0.5
    tie_min: float = 10.0
    tie_max: float = 30.0
    """Deterministic budget of the reference stage: ``tie_share`` of the work spent so far,
    within [``tie_min``, ``tie_max``] units (and never past the time limit). Sample county,
    age-57 against its baseline: the stage proves the closest plan in 6.2 units."""
    dtime_per_second: float = 0.5
    """CP-SAT deterministic time granted per second of the time limit and per worker to a
    decomposed solve's parts: one CP-SAT thread does 0.5–0.7 units a second."""
    part_overcommit: float = 1.5
    """A county part's wall-clock share of the time left is this many times its share by
    villages: most parts finish well inside theirs, and a part cut before its soft search
    finds a plan keeps the greedy plan (city-201, 60 s: under central-2021 four parts cut, soft
    gap 2.9 %, against none and 1.8 %; under hunan-2021 three cut and 20.6 %, against one
    and 13.5 %; at 2.0 the last parts were cut instead)."""
    part_shortlist: int | None = 30
    """A county part whose start fills every post is modelled on this many units per village,
    the best by estimate (:mod:`optimizer.model.shortlist`; None: every pair). City-201 under
    hunan-2021, its largest county: 53,449 points proven in 7–10 s against the whole model's
    53,638 in 16–20 s (first plan after 11 s); 20 units: 53,433, 12: 52,994."""
    lp_beside_villages: int = 4000
    """Below this many villages to staff the LP (its count first) runs beside the county
    parts from the start: a city's LP takes 10–20 s, and started after the parts it was
    often too late (the realistic city of seed 1 under hebei-2018: not ready in one run of
    two, soft gap 14 % to the flow's bound against 4.3 % to the LP's)."""
    pairs_share: float = 0.6
    """Share of that budget the parts and the county pairs may use together: the flow and the
    LP, outside it, take about a third of a province run (measured: 85 of 300 s)."""
    spare_per_post: int = 12
    """The second round hands a short county at most this many spare people per missing post."""
    pool_per_post: int = 8
    """The spare-people phase offers a county at most this many spare wide cadres per
    required post, nearest units first (city-201: ~2,400 spare people for a county of 300
    posts solve to optimality in under 10 s)."""
    pair_rounds: int = 6
    """Rounds of disjoint county pairs, each pairing counties not paired together before; a
    kept pair is split back into its counties, so the next round can pass people on further."""
    reseat_per_village: float = 1.5e-3
    """Seconds per village to staff kept back at the end of a decomposed solve for re-seating
    people province-wide (:mod:`optimizer.scale.reseat`; measured on the greedy plan:
    city-201 0.5–1.0 s, province-201 4.7 s under hunan-2021, 10.3 s under hebei-2018)."""
    write_short_post_village: float = 0.6e-6
    """A decomposed solve ends earlier by this many seconds per required post its greedy floor
    leaves short, times the villages: writing gives each short village its reason, which
    looks across the whole dataset (measured: province-201 under hebei-2018, 2,880 posts
    short: 37 s = 7,400 villages × 1.7 µs per post before the reasons cached each unit's
    groups and skipped rules that bar no one, 12.5 s after; kept back now: 12.8 s, beside
    :func:`~optimizer.scale.budget.write_reserve`'s 25.7 s)."""
    pricing_rounds: int = 10
    """Column-generation rounds of the LP bound."""
    price_in: int = 60_000
    """At most this many priced-out columns enter the LP per round, the most negative first:
    a smaller LP per round (province seed 3: 6 rounds, 680 k columns, 69 s, against 4 rounds,
    750 k columns, 92 s when every negative one entered; the same bound)."""
    block_price: float = 1000.0
    """Pairs left out of the soft LP join its county blocks (:mod:`optimizer.scale.lpblocks`)
    when their reduced cost is under this many points; a block's bound rises by at most
    its cheapest pair left out."""
    block_pairs: int = 300_000
    """At most this many of those pairs, the cheapest first: a bound on the blocks' memory
    (province-201 under hebei-2018 takes 266 k)."""
    block_seconds: float = 5.0
    """At most this long for one county block's integer program."""
    block_min_seconds: float = 2.0
    """The county blocks only with at least this long left for them."""
    block_memory_mb: float = 3_500.0
    """The county blocks only while the process stays under this much memory with them (the
    4 GiB a province run is allowed, and a margin)."""
    mip_villages: int = 4000
    """Below this many villages to staff, the coverage program (:mod:`optimizer.scale.lpmip`)
    re-deals province and city people when the county parts leave posts in doubt (a city:
    11 s for city-201; a province's LP alone takes minutes)."""
    soft_mip_pairs: int = 60_000
    """Up to this many unit → village pairs, the soft program (:mod:`optimizer.scale.softmip`)
    re-deals province and city people for points after the coverage round (city-201 under
    hebei-2018: 25,354 pairs, 16 s; under central-2021, 331,387 pairs: no solution in 60 s)."""
    mip_share: float = 0.4
    """The coverage program, beside the county parts, ends by this share of the time limit
    (counted from the solve's start)."""
    count_share: float = 0.05
    """Share of the time limit the phases after the county parts leave to the LP's class
    counts when posts are in doubt (``Decomposition.leave_counts_time``)."""
    block_share: float = 0.1
    """Share of the time limit the county pairs leave to the class counts and the county
    blocks, when the soft LP is done by then, the blocks fit in memory and no post is in
    doubt (coverage first: with the pairs cut short, city-201 under hebei-2018 filled one
    `key` post fewer in one run of two; its soft gap went 3.51 → 2.07–2.23 %)."""


@dataclass(frozen=True)
class SolveParams:
    """``time_limit`` bounds the whole solve in seconds (None: no limit). ``seed`` and
    ``workers`` fix the search, so the same inputs give the same plan. ``method``: ``exact``
    — one master model for the whole dataset; ``decompose`` — one per county, tied by a flow
    relaxation that also gives the bound; ``auto`` — decompose when the dataset is large
    (:attr:`Tuning.decompose_villages`). ``handle_sigint``: Ctrl-C stops the search and the
    best plan so far is returned."""

    time_limit: float | None = 60.0
    seed: int = 0
    workers: int = 2
    method: str = "auto"
    handle_sigint: bool = False
    tuning: Tuning = field(default_factory=Tuning)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be auto, exact or decompose, not {self.method!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        if self.time_limit is not None and self.time_limit < 0:
            raise ValueError(f"time_limit must not be negative, not {self.time_limit}")


@dataclass
class PartStart:
    """What a decomposed solve hands one county part: a deterministic budget and a valid
    start (the part's share of the province-wide greedy plan)."""

    dtime: float | None = None
    start: dict[str, dict] | None = None
    shortlist: int | None = None
    """The part's model keeps this many units per village (:mod:`optimizer.model.shortlist`)."""
