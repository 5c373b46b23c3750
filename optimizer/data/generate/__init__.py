"""Synthetic but realistic datasets (SPEC §8): a province → cities → counties → townships → villages.

The generator exists so that planners, analysts and tests have data shaped like the real thing
without real personal data: sending units at four levels with realistic staff sizes, candidate
pools proportional to staff, villages clustered by township, category mixes, and a posting
history that makes the history rules (H-NOREPEAT, H-CONTINUITY, H-INCUMBENT) bite.

Everything is drawn from one ``numpy.random.default_rng(seed)`` plus a seeded ``Faker('zh_CN')``
(names only), and nothing reads the clock, so the same scale, seed and plan date give
byte-identical CSV files. Names of units, counties, townships and villages are synthetic; only
the city names and codes follow Hunan's (43xxxx) so the admin codes look real.

The drawing is split by concern: reference data (``catalogue``), places and villages
(``places``), sending units (``units``), cadres (``cadres``), the posting history
(``history``) and the CSV files (``writing``). Their order of draws is part of the contract.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from faker import Faker
from faker.providers.person.zh_CN import Provider as PersonProvider

from optimizer.data.generate.cadres import cadres_table
from optimizer.data.generate.catalogue import SCALES, TABLES, Scale
from optimizer.data.generate.history import history_table
from optimizer.data.generate.places import geography, village_tables
from optimizer.data.generate.units import pools, units_table
from optimizer.data.generate.writing import write_dataset

__all__ = ["DEFAULT_PLAN_DATE", "SCALES", "TABLES", "Scale", "generate", "write_dataset"]

DEFAULT_PLAN_DATE = date(2026, 9, 1)
"""A changeover already past, so no generated date lies in the future (the loader rejects those)."""


def generate(scale: str, seed: int, plan_date: date = DEFAULT_PLAN_DATE) -> dict[str, pd.DataFrame]:
    """A synthetic dataset of the given scale class, as CSV-ready tables keyed by table name.

    Values are what a CSV holds: ISO dates, 'true'/'false', canonical English codes,
    ';'-joined sets and '' for missing, so :func:`write_dataset` needs no conversion.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
    params = SCALES[scale]
    rng = np.random.default_rng(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    surnames = list(PersonProvider.last_names)[:80]  # the most common, for 张家湾-style names

    geo = geography(params, rng, surnames)
    villages, adjacency = village_tables(geo, rng)
    units = units_table(params, geo, rng)
    cadres = cadres_table(units, pools(units, params, rng), plan_date, rng, fake)
    history = history_table(units, cadres, villages, plan_date, rng)
    return {
        "units": units,
        "cadres": cadres.table,
        "villages": villages,
        "adjacency": adjacency,
        "history": history,
    }
