"""Charts of run folders for notebooks and ``zhucun compare --plots`` (matplotlib, networkx).

Every helper takes runs (folders, ``Run`` or ``RunResult`` objects, as :func:`~optimizer.whatif.runs.load_runs`)
and returns a ``matplotlib.figure.Figure`` built without pyplot, so nothing piles up in a
global figure list and the command line needs no display. Text is drawn with a Chinese font
(:mod:`optimizer.whatif.plotfont`), so scenario, village and unit names show in any language; the
labels themselves are English or, with ``lang="zh"``, Chinese.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from optimizer.data.domain import CATEGORIES, Dataset
from optimizer.whatif.kpis import LABELS, kpi_values, unit_load
from optimizer.whatif.plotfont import category_label, chinese_text, word
from optimizer.whatif.plotmap import plot_map, run_dataset
from optimizer.whatif.runs import Run, load_runs

_MPL = tuple(int(x) for x in matplotlib.__version__.split(".")[:2])
F = TypeVar("F", bound=Callable[..., Figure])


def _chinese(fn: F) -> F:
    """Build the figure with the Chinese font in force (tick labels and legends included)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with chinese_text():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _width(n: int) -> float:
    return min(14.0, 6.0 + 0.6 * n)


@_chinese
def plot_coverage(runs: Any, lang: str = "en") -> Figure:
    """Share of each category's villages served (staffed or covered), per run."""
    runs = load_runs(runs)
    vals = [kpi_values(r) for r in runs]
    cats = [c for c in CATEGORIES if any(f"served_{c}" in v for v in vals)]
    fig = Figure(figsize=(_width(len(cats)), 4.2), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(cats))
    w = 0.8 / max(1, len(runs))
    for i, (r, v) in enumerate(zip(runs, vals, strict=True)):
        ys = [v.get(f"served_{c}") or 0 for c in cats]
        ax.bar(x + (i - (len(runs) - 1) / 2) * w, ys, w, label=r.name)
    ax.set_xticks(x, [category_label(c, lang) for c in cats])
    ax.set_ylabel(word("coverage_y", lang))
    ax.set_ylim(0, 105)
    ax.set_title(word("coverage_title", lang))
    ax.legend(
        fontsize="small", ncols=min(4, len(runs)), loc="upper center", bbox_to_anchor=(0.5, -0.08)
    )
    return fig


@_chinese
def plot_team_sizes(runs: Any, lang: str = "en") -> Figure:
    """How many teams of each size (first secretary included) each run has."""
    runs = load_runs(runs)
    sizes = [r.teams["size"].astype(int) for r in runs]
    top = max((int(s.max()) for s in sizes if len(s)), default=1)
    fig = Figure(figsize=(_width(top), 4.0), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(1, top + 1)
    w = 0.8 / max(1, len(runs))
    for i, (r, s) in enumerate(zip(runs, sizes, strict=True)):
        counts = s.value_counts()
        ax.bar(
            x + (i - (len(runs) - 1) / 2) * w, [int(counts.get(k, 0)) for k in x], w, label=r.name
        )
    ax.set_xticks(x)
    ax.set_xlabel(word("sizes_x", lang))
    ax.set_ylabel(word("sizes_y", lang))
    ax.set_title(word("sizes_title", lang))
    ax.legend(fontsize="small")
    return fig


def travel_distances(run: Run, dataset: Dataset | None = None) -> np.ndarray:
    """Unit → village distance (km) of every posting in force that has coordinates."""
    ds = dataset or run_dataset(run)
    out = []
    for u, v in zip(run.plan.unit_id, run.plan.village_id, strict=True):
        unit, village = ds.units.get(u), ds.villages.get(v)
        if unit and village and None not in (unit.x, unit.y, village.x, village.y):
            out.append(math.hypot(unit.x - village.x, unit.y - village.y))  # type: ignore[operator]
    return np.array(out)


@_chinese
def plot_travel(runs: Any, datasets: dict[str, Dataset] | None = None, lang: str = "en") -> Figure:
    """Distribution of unit → village distances per run (the S-TRAVEL term and its cost)."""
    runs = load_runs(runs)
    data = [travel_distances(r, (datasets or {}).get(r.name)) for r in runs]
    fig = Figure(figsize=(8.0, 1.2 + 0.5 * len(runs)), layout="constrained")
    ax = fig.add_subplot()
    horizontal = {"orientation": "horizontal"} if _MPL >= (3, 10) else {"vert": False}
    ax.boxplot(data, showmeans=True, **horizontal)
    ax.set_yticks(range(1, len(runs) + 1), [r.name for r in runs])
    ax.invert_yaxis()
    ax.set_xlabel(word("travel_x", lang))
    ax.set_title(word("travel_title", lang))
    return fig


@_chinese
def plot_unit_load(runs: Any, top: int = 25, lang: str = "en") -> Figure:
    """Postings per sending unit: the ``top`` busiest units (rows, code and name) by run."""
    runs = load_runs(runs)
    table = unit_load(runs)
    names = table["unit_name"]
    counts = table.drop(columns="unit_name")
    counts = counts.loc[counts.max(axis=1).sort_values(ascending=False, kind="stable").index[:top]]
    fig = Figure(figsize=(_width(len(runs)) + 2, 1.5 + 0.28 * len(counts)), layout="constrained")
    ax = fig.add_subplot()
    grid = counts.to_numpy()
    im = ax.imshow(grid, aspect="auto", cmap="Blues")
    ax.set_xticks(range(len(counts.columns)), counts.columns, rotation=30, ha="right")
    ax.set_yticks(range(len(counts)), [f"{u} {names[u]}".strip() for u in counts.index])
    for (i, j), n in np.ndenumerate(grid):
        colour = "white" if n > grid.max() * 0.6 else "black"
        ax.text(j, i, str(n), ha="center", va="center", fontsize=7, color=colour)
    fig.colorbar(im, ax=ax, label=word("load_bar", lang))
    ax.set_title(word("load_title", lang, n=len(counts)))
    return fig


def sweep_value(run: Run, key: str) -> Any:
    """The value of a dotted scenario key in a run (``overrides.eligibility.max_age``); None
    when the scenario does not set it (the policy's own value applies)."""
    return _dig(run.scenario, key.split("."))


def _dig(cur: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return None
    return cur


def effective_sweep_value(run: Run, key: str) -> tuple[Any, bool]:
    """The swept key's value in force and whether it is the policy's own (not set by the
    scenario). An ``overrides.…`` key the scenario leaves alone is read from the resolved
    policy in the run's manifest, so a baseline sits at its real place on the axis."""
    value = sweep_value(run, key)
    if value is not None:
        return value, False
    parts = key.split(".")
    if parts[0] == "overrides" and isinstance(run.manifest.get("policy"), dict):
        return _dig(run.manifest["policy"], parts[1:]), True
    return None, False  # the run does not say: shown as none


def _order(value: Any) -> tuple[int, Any]:
    """Numbers ascending, then text, then no value (no cap: the largest) last."""
    if value is None:
        return (2, 0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


def _sweep_label(value: Any, default: bool, lang: str) -> str:
    text = word("none", lang) if value is None else str(value)
    return word("default", lang, v=text) if default else text


@_chinese
def plot_sweep(
    runs: Any,
    key: str,
    kpis: tuple[str, ...] = ("posts_filled_pct", "young_pct", "travel_km_mean", "cost_wan_yuan"),
    lang: str = "en",
) -> Figure:
    """KPIs (keys of ``compare.LABELS``) against a swept scenario key, one panel each. Runs
    are in the order of the key's value in force; a run that leaves the key to its policy
    shows the policy's value marked as such, and no value (e.g. no age cap) comes last."""
    runs = load_runs(runs)
    pts = sorted(
        ((*effective_sweep_value(r, key), kpi_values(r)) for r in runs), key=lambda p: _order(p[0])
    )
    labels = [_sweep_label(v, d, lang) for v, d, _ in pts]
    fig = Figure(figsize=(3.4 * len(kpis), 3.4), layout="constrained")
    for i, k in enumerate(kpis):
        ax = fig.add_subplot(1, len(kpis), i + 1)
        ys = [vals.get(k) for _, _, vals in pts]
        ax.plot(range(len(ys)), [np.nan if y is None else y for y in ys], marker="o")
        ax.set_xticks(range(len(ys)), labels, rotation=20 if lang == "en" else 0)
        ax.set_xlabel(key.removeprefix("overrides."))
        ax.set_title(LABELS[k][1 if lang == "zh" else 0], fontsize="medium")
    fig.suptitle(word("sweep_title", lang, key=key))
    return fig


def save_plots(runs: Any, out: str | Path, prefix: str = "compare", lang: str = "en") -> list[Path]:
    """Every comparison chart and one map per run, as PNG files in ``out``."""
    runs = load_runs(runs)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    datasets = {r.name: run_dataset(r) for r in runs}
    figures = {
        f"{prefix}-coverage.png": plot_coverage(runs, lang=lang),
        f"{prefix}-team-sizes.png": plot_team_sizes(runs, lang=lang),
        f"{prefix}-travel.png": plot_travel(runs, datasets, lang=lang),
        f"{prefix}-unit-load.png": plot_unit_load(runs, lang=lang),
    }
    for r in runs:
        figures[f"{prefix}-map-{r.name}.png"] = plot_map(r, datasets[r.name], lang=lang)
    written = []
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=110)
        written.append(out / name)
    return written


__all__ = [
    "effective_sweep_value",
    "plot_coverage",
    "plot_map",
    "plot_sweep",
    "plot_team_sizes",
    "plot_travel",
    "plot_unit_load",
    "save_plots",
    "sweep_value",
    "travel_distances",
]
