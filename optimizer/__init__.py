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
    (ledger: optimizer.ledger; pseudonymised copies: optimizer.data.anonymize)
"""

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

_WHERE = {
    "check": "check", "CheckReport": "check",
    "Comparison": "compare", "Run": "compare", "compare": "compare", "comparison": "compare",
    "load_run": "compare", "plan_diff": "compare", "village_diff": "compare",
    "write_comparison": "compare",
    "Dataset": "data.domain", "InputError": "data.errors", "Problem": "data.errors",
    "explain_cadre": "explain", "explain_village": "explain",
    "load_dataset": "data.loading", "write_plan": "plan",
    "PRESETS": "policy", "Policy": "policy", "load_policy": "policy",
    "Repair": "replan", "read_recall": "replan", "replan": "replan", "write_repair": "replan",
    "RunResult": "runner", "run": "runner",
    "Scenario": "scenario", "load_scenarios": "scenario", "sweep": "scenario",
    "SolveResult": "solver", "solve": "solver",
    "Violation": "verify", "verify_plan": "verify", "violations_frame": "verify",
    "plot_coverage": "plots", "plot_map": "plots", "plot_sweep": "plots",
    "plot_team_sizes": "plots", "plot_travel": "plots", "plot_unit_load": "plots",
    "save_plots": "plots",
}  # fmt: skip
"""Public name → the module that defines it: loaded on first use, so ``zhucun solve`` does
not pay for pandas plotting, openpyxl or networkx before it needs them (the time limit
bounds the whole command)."""
_RENAMED = {"sweep": "expand_sweep"}

if TYPE_CHECKING:
    from optimizer.check import CheckReport, check
    from optimizer.compare import (
        Comparison,
        Run,
        compare,
        comparison,
        load_run,
        plan_diff,
        village_diff,
        write_comparison,
    )
    from optimizer.data.domain import Dataset
    from optimizer.data.errors import InputError, Problem
    from optimizer.data.loading import load_dataset
    from optimizer.explain import explain_cadre, explain_village
    from optimizer.plan import write_plan
    from optimizer.policy import PRESETS, Policy, load_policy
    from optimizer.replan import Repair, read_recall, replan, write_repair
    from optimizer.runner import RunResult, run
    from optimizer.scenario import Scenario, load_scenarios
    from optimizer.scenario import expand_sweep as sweep
    from optimizer.solver import SolveResult, solve
    from optimizer.verify import Violation, verify_plan, violations_frame  # fmt: skip


class _Package(ModuleType):
    """``check``, ``compare`` and ``replan`` are functions named like their modules: the first
    import of such a module sets the package attribute to the module, which must not hide the
    function (loaded lazily like every public name)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _WHERE and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(f"optimizer.{_WHERE[name]}"), _RENAMED.get(name, name))
        globals()[name] = value
        return value
    raise AttributeError(f"module 'optimizer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


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
