"""zhucun (驻村): plan who goes to which village as first secretary or team member.

Public API (what notebooks use):
    load_dataset(path)            -> Dataset       validated input tables
    load_policy(name_or_file)     -> Policy        a preset, or a file extending one
    check(dataset, policy, date)  -> CheckReport   supply and demand before solving
    solve(dataset, policy, date)  -> SolveResult   status, plan tables, objective, bound, gap
    write_plan(result.tables, dir)                 the SPEC §6 output folder
    generate(scale, seed)         -> tables        synthetic datasets
What-if scenarios:
    Scenario(...), load_scenarios(*files), sweep(scenario, {key: values}) -> list[Scenario]
    run(scenarios, out, jobs=2, dask=None)  -> list[RunResult]   one run folder each
    compare(runs) -> DataFrame (KPIs side by side); comparison(runs) -> KPIs, moves, villages
    plan_diff(a, b), village_diff(a, b) -> DataFrame; write_comparison(cmp, dir)
    plot_coverage, plot_team_sizes, plot_travel, plot_unit_load, plot_map, plot_sweep, save_plots
Across terms:
    replan(dataset, plan_dir, policy, recall=read_recall(file)) -> Repair; write_repair(rep, dir)
    (ledger: optimizer.ledger; pseudonymised copies: optimizer.anonymize)
"""

from typing import Any

from .check import CheckReport, check
from .compare import (
    Comparison,
    Run,
    compare,
    comparison,
    load_run,
    plan_diff,
    village_diff,
    write_comparison,
)
from .domain import Dataset
from .errors import InputError, Problem
from .explain import explain_cadre, explain_village
from .loading import load_dataset
from .plan import write_plan
from .policy import PRESETS, Policy, load_policy
from .replan import Repair, read_recall, replan, write_repair
from .runner import RunResult, run
from .scenario import Scenario, load_scenarios
from .scenario import expand_sweep as sweep
from .solver import SolveResult, solve
from .verify import Violation, verify_plan, violations_frame

_PLOTS = ("plot_coverage", "plot_map", "plot_sweep", "plot_team_sizes", "plot_travel",
          "plot_unit_load", "save_plots")  # fmt: skip


def __getattr__(name: str) -> Any:
    """Plot helpers load matplotlib on first use, so the command line starts fast."""
    if name in _PLOTS:
        from . import plots

        return getattr(plots, name)
    raise AttributeError(f"module 'optimizer' has no attribute {name!r}")


__all__ = [
    "PRESETS",
    "CheckReport",
    "Comparison",
    "Dataset",
    "InputError",
    "Policy",
    "Problem",
    "Repair",
    "Run",
    "RunResult",
    "Scenario",
    "SolveResult",
    "Violation",
    "check",
    "compare",
    "comparison",
    "explain_cadre",
    "explain_village",
    "load_dataset",
    "load_policy",
    "load_run",
    "load_scenarios",
    "plan_diff",
    "plot_coverage",
    "plot_map",
    "plot_sweep",
    "plot_team_sizes",
    "plot_travel",
    "plot_unit_load",
    "read_recall",
    "replan",
    "run",
    "save_plots",
    "solve",
    "sweep",
    "verify_plan",
    "village_diff",
    "violations_frame",
    "write_comparison",
    "write_plan",
    "write_repair",
]
__version__ = "0.1.0"
