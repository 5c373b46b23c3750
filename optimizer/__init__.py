"""zhucun (驻村): plan who goes to which village as first secretary or team member.

Public API (what notebooks use):
    load_dataset(path)            -> Dataset       validated input tables
    load_policy(name_or_file)     -> Policy        a preset, or a file extending one
    check(dataset, policy, date)  -> CheckReport   supply and demand before solving
    generate(scale, seed)         -> tables        synthetic datasets
"""

from .check import CheckReport, check
from .domain import Dataset
from .errors import InputError, Problem
from .loading import load_dataset
from .policy import PRESETS, Policy, load_policy

__all__ = [
    "PRESETS",
    "CheckReport",
    "Dataset",
    "InputError",
    "Policy",
    "Problem",
    "check",
    "load_dataset",
    "load_policy",
]
__version__ = "0.1.0"
