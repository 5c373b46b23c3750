"""zhucun (驻村): plan who goes to which village as first secretary or team member.

Public API (what notebooks use):
    load_dataset(path)            -> Dataset       validated input tables
    load_policy(name_or_file)     -> Policy        a preset, or a file extending one
    check(dataset, policy, date)  -> CheckReport   supply and demand before solving
    solve(dataset, policy, date)  -> SolveResult   status, plan tables, objective, bound, gap
    generate(scale, seed)         -> tables        synthetic datasets
"""

from .check import CheckReport, check
from .domain import Dataset
from .errors import InputError, Problem
from .explain import explain_cadre, explain_village
from .loading import load_dataset
from .policy import PRESETS, Policy, load_policy
from .solver import SolveResult, solve
from .verify import Violation, verify_plan, violations_frame

__all__ = [
    "PRESETS",
    "CheckReport",
    "Dataset",
    "InputError",
    "Policy",
    "Problem",
    "SolveResult",
    "Violation",
    "check",
    "explain_cadre",
    "explain_village",
    "load_dataset",
    "load_policy",
    "solve",
    "verify_plan",
    "violations_frame",
]
__version__ = "0.1.0"
