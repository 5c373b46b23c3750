"""zhucun (驻村): plan who goes to which village as first secretary or team member.

Public API (what notebooks use):
    load_dataset(path)            -> Dataset       validated input tables
    load_policy(name_or_file)     -> Policy        a preset, or a file extending one
    check(dataset, policy, date)  -> CheckReport   supply and demand before solving
    solve(dataset, policy, date)  -> SolveResult   status, plan tables, objective, bound, gap
    write_plan(result.tables, dir)                 the SPEC §6 output folder
    explain_village, explain_cadre; post_alternatives(dataset, policy, date, plan_dir, village,
        role) -> list[Alternative]   who else could take a post, what it would cost
    generate(scale, seed)         -> tables        synthetic datasets
What-if scenarios:
    Scenario(...), load_scenarios(*files), sweep(scenario, {key: values}) -> list[Scenario]
    run(scenarios, out, jobs=2, dask=None)  -> list[RunResult]   one run folder each
    compare(runs) -> DataFrame (KPIs side by side); comparison(runs) -> KPIs, moves, villages
    plan_diff(a, b), village_diff(a, b) -> DataFrame; write_comparison(cmp, dir)
    plot_coverage, plot_team_sizes, plot_travel, plot_unit_load, plot_map, plot_sweep, save_plots
Across terms:
    replan(dataset, plan_dir, policy, recall=read_recall(file)) -> Repair; write_repair(rep, dir)
    (ledger: optimizer.terms.ledger; pseudonymised copies: optimizer.data.anonymize)
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

_WHERE = {
    "Dataset": "data.domain", "InputError": "data.errors", "Problem": "data.errors",
    "load_dataset": "data.loading",
    "PRESETS": "policy", "Policy": "policy", "load_policy": "policy",
    "check": "plans.check", "CheckReport": "plans.check",
    "SolveParams": "model.params", "SolveResult": "model.result", "Status": "model.result",
    "solve": "model.solve",
    "write_plan": "plans.build",
    "explain_cadre": "plans.explain", "explain_village": "plans.explain",
    "Alternative": "plans.alternatives", "post_alternatives": "plans.alternatives",
    "Violation": "verify", "verify_plan": "verify", "violations_frame": "verify",
    "Repair": "terms.replan", "read_recall": "terms.replan", "replan": "terms.replan",
    "write_repair": "terms.replan",
    "Scenario": "whatif.scenario", "load_scenarios": "whatif.files", "sweep": "whatif.sweep",
    "RunResult": "whatif.runner", "run": "whatif.runner",
    "Run": "whatif.runs", "load_run": "whatif.runs", "compare": "whatif.kpis",
    "Comparison": "whatif.report", "comparison": "whatif.report",
    "write_comparison": "whatif.report",
    "plan_diff": "whatif.diff", "village_diff": "whatif.diff",
    "plot_coverage": "whatif.plots", "plot_map": "whatif.plots", "plot_sweep": "whatif.plots",
    "plot_team_sizes": "whatif.plots", "plot_travel": "whatif.plots",
    "plot_unit_load": "whatif.plots", "save_plots": "whatif.plots",
}  # fmt: skip
"""Public name → the module that defines it: loaded on first use, so ``zhucun solve`` does
not pay for pandas plotting, openpyxl or networkx before it needs them (the time limit
bounds the whole command)."""
_RENAMED = {"sweep": "expand_sweep"}

if TYPE_CHECKING:
    from optimizer.data.domain import Dataset
    from optimizer.data.errors import InputError, Problem
    from optimizer.data.loading import load_dataset
    from optimizer.model.params import SolveParams
    from optimizer.model.result import SolveResult, Status
    from optimizer.model.solve import solve
    from optimizer.plans.alternatives import Alternative, post_alternatives
    from optimizer.plans.build import write_plan
    from optimizer.plans.check import CheckReport, check
    from optimizer.plans.explain import explain_cadre, explain_village
    from optimizer.policy import PRESETS, Policy, load_policy
    from optimizer.terms.replan import Repair, read_recall, replan, write_repair
    from optimizer.verify import Violation, verify_plan, violations_frame
    from optimizer.whatif.diff import plan_diff, village_diff
    from optimizer.whatif.files import load_scenarios
    from optimizer.whatif.kpis import compare
    from optimizer.whatif.report import Comparison, comparison, write_comparison
    from optimizer.whatif.runner import RunResult, run
    from optimizer.whatif.runs import Run, load_run
    from optimizer.whatif.scenario import Scenario
    from optimizer.whatif.sweep import expand_sweep as sweep


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
    "Alternative",
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
    "SolveParams",
    "SolveResult",
    "Status",
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
    "post_alternatives",
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
