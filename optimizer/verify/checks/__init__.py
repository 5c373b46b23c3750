"""One check per SPEC §3 rule id, by family; importing the package registers them all in
:data:`optimizer.verify.registry.CHECKS`.

eligibility: E-*   levels: L-*, LV-*   teams: T-*, J-JOINT   clusters: C-CLUSTER
history: H-*       units: U-*          pins: P-PIN           preferences: S-*
(swaps and exchange: the better choices the S-* checks look for)
"""

from optimizer.verify.checks import (
    clusters,
    eligibility,
    history,
    levels,
    pins,
    preferences,
    teams,
    units,
)

FAMILIES = (eligibility, levels, teams, clusters, history, units, pins, preferences)

__all__ = ["FAMILIES"]
