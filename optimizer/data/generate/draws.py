"""Small drawing and formatting helpers shared by the generator's tables: planar km, date
arithmetic, uneven splits, largest-remainder quotas and points in discs."""

from __future__ import annotations

import math
from datetime import date

import numpy as np

from optimizer.data import schema

_LON0, _LAT0 = 108.8, 24.6
_KM_PER_DEG_LAT = 110.57
_KM_PER_DEG_LON = 111.32 * math.cos(math.radians(27.5))


def km(lon: float, lat: float) -> tuple[float, float]:
    """Planar km east and north of a point south-west of Hunan (equirectangular)."""
    return (lon - _LON0) * _KM_PER_DEG_LON, (lat - _LAT0) * _KM_PER_DEG_LAT


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def iso_dates(ordinals: np.ndarray) -> np.ndarray:
    """Proleptic ordinals → ISO date strings, vectorised."""
    epoch = date(1970, 1, 1).toordinal()
    days = (np.asarray(ordinals, dtype=np.int64) - epoch).astype("datetime64[D]")
    return np.datetime_as_string(days, unit="D")


def bools(values: np.ndarray) -> np.ndarray:
    """Booleans as the CSV spells them."""
    return np.where(values, "true", "false")


def split(total: int, parts: int, rng: np.random.Generator, minimum: int) -> np.ndarray:
    """``total`` split into ``parts`` integers ≥ ``minimum``, unevenly (Dirichlet weights)."""
    if parts == 1:
        return np.array([total])
    extra = total - minimum * parts
    if extra < 0:
        raise ValueError(f"cannot split {total} into {parts} parts of at least {minimum}")
    raw = rng.dirichlet(np.full(parts, 6.0)) * extra
    out = np.floor(raw).astype(int)
    order = np.argsort(-(raw - out), kind="stable")
    out[order[: extra - out.sum()]] += 1
    return out + minimum


def quota(n: int, shares: dict[str, float]) -> dict[str, int]:
    """Largest-remainder rounding of ``n`` by ``shares``."""
    raw = {k: n * v / sum(shares.values()) for k, v in shares.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: out[k] - raw[k])[: n - sum(out.values())]:
        out[k] += 1
    return out


def disc(rng: np.random.Generator, n: int, radius: float) -> np.ndarray:
    """``n`` points uniform in a disc, as an (n, 2) array of offsets."""
    r = radius * np.sqrt(rng.random(n))
    t = rng.random(n) * 2 * math.pi
    return np.column_stack([r * np.cos(t), r * np.sin(t)])


def spread(rng: np.random.Generator, n: int, radius: float) -> np.ndarray:
    """``n`` centres in a disc, the first at its middle, kept apart so clusters do not merge."""
    pts = [np.zeros(2)]
    gap = 0.9 * radius / math.sqrt(max(n, 1))
    tries = 0
    while len(pts) < n:
        p = disc(rng, 1, radius)[0]
        tries += 1
        if tries > 60 * n or min(float(np.hypot(*(p - q))) for q in pts) >= gap:
            pts.append(p)
    return np.array(pts)


def csv_columns(table: schema.Table) -> list[str]:
    """The columns the generator writes for ``table`` (planar x/y, never lon/lat)."""
    return [c.name for c in table.columns if c.name not in ("lon", "lat")]
