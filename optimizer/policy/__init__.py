"""Policies (SPEC §4): the parameters of every rule, the policy file's schema, the shipped presets.

``params`` holds the parameters as frozen data (:class:`Policy` and its parts), ``schema`` what
a policy file may say and :func:`validate`, ``load`` reading files and presets (``presets/``)
with their ``extends`` chains into a :class:`Policy`.
"""

from optimizer.policy.load import PRESETS, load_policy, merge_dicts
from optimizer.policy.params import (
    REQUIREMENT_KEYS,
    Cluster,
    Joint,
    LeaderRank,
    Policy,
    Requirement,
    Weights,
    Young,
)
from optimizer.policy.schema import SCHEMA, validate

__all__ = [
    "PRESETS",
    "REQUIREMENT_KEYS",
    "SCHEMA",
    "Cluster",
    "Joint",
    "LeaderRank",
    "Policy",
    "Requirement",
    "Weights",
    "Young",
    "load_policy",
    "merge_dicts",
    "validate",
]
