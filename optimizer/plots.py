"""Charts of run folders for notebooks and ``zhucun compare --plots`` (matplotlib, networkx).

Every helper takes runs (folders, ``Run`` or ``RunResult`` objects, as :func:`compare.load_runs`)
and returns a ``matplotlib.figure.Figure`` built without pyplot, so nothing piles up in a
global figure list and the command line needs no display. Labels are English: the bundled
matplotlib fonts have no Chinese glyphs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib
import networkx as nx
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .compare import Run, kpi_values, load_runs
from .domain import CATEGORIES, LEVELS, Dataset
from .errors import InputError, Problem

_MPL = tuple(int(x) for x in matplotlib.__version__.split(".")[:2])
LEVEL_COLOURS = {
    "province": "#c0392b",
    "city": "#e67e22",
    "county": "#2980b9",
    "township": "#27ae60",
}
NONE_COLOUR, COVERED_COLOUR = "#d0d0d0", "#8e44ad"


def _width(n: int) -> float:
    return min(14.0, 6.0 + 0.6 * n)


def plot_coverage(runs: Any) -> Figure:
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
    ax.set_xticks(x, cats)
    ax.set_ylabel("villages served %")
    ax.set_ylim(0, 105)
    ax.set_title("Coverage by village category")
    ax.legend(fontsize="small", ncols=min(4, len(runs)), loc="lower left")
    return fig


def plot_team_sizes(runs: Any) -> Figure:
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
    ax.set_xlabel("team size (first secretary included)")
    ax.set_ylabel("teams")
    ax.set_title("Team-size distribution")
    ax.legend(fontsize="small")
    return fig


def travel_distances(run: Run, dataset: Dataset | None = None) -> np.ndarray:
    """Unit → village distance (km) of every posting in force that has coordinates."""
    ds = dataset or _dataset(run)
    out = []
    for u, v in zip(run.plan.unit_id, run.plan.village_id, strict=True):
        unit, village = ds.units.get(u), ds.villages.get(v)
        if unit and village and None not in (unit.x, unit.y, village.x, village.y):
            out.append(math.hypot(unit.x - village.x, unit.y - village.y))  # type: ignore[operator]
    return np.array(out)


def plot_travel(runs: Any, datasets: dict[str, Dataset] | None = None) -> Figure:
    """Distribution of unit → village distances per run (the S-TRAVEL term and its cost)."""
    runs = load_runs(runs)
    data = [travel_distances(r, (datasets or {}).get(r.name)) for r in runs]
    fig = Figure(figsize=(8.0, 1.2 + 0.5 * len(runs)), layout="constrained")
    ax = fig.add_subplot()
    horizontal = {"orientation": "horizontal"} if _MPL >= (3, 10) else {"vert": False}
    ax.boxplot(data, showmeans=True, **horizontal)
    ax.set_yticks(range(1, len(runs) + 1), [r.name for r in runs])
    ax.invert_yaxis()
    ax.set_xlabel("km from the sending unit to the village (mean ▲)")
    ax.set_title("Travel distance per posting")
    return fig


def plot_unit_load(runs: Any, top: int = 25) -> Figure:
    """Postings per sending unit: the ``top`` busiest units (rows) by run (columns)."""
    from .compare import unit_load

    runs = load_runs(runs)
    table = unit_load(runs)
    counts = table.drop(columns="unit_name")
    counts = counts.loc[counts.max(axis=1).sort_values(ascending=False, kind="stable").index[:top]]
    fig = Figure(figsize=(_width(len(runs)), 1.5 + 0.28 * len(counts)), layout="constrained")
    ax = fig.add_subplot()
    im = ax.imshow(counts.to_numpy(), aspect="auto", cmap="Blues")
    ax.set_xticks(range(len(counts.columns)), counts.columns, rotation=30, ha="right")
    ax.set_yticks(range(len(counts)), counts.index)
    for (i, j), n in np.ndenumerate(counts.to_numpy()):
        ax.text(
            j,
            i,
            str(n),
            ha="center",
            va="center",
            fontsize=7,
            color="white" if n > counts.to_numpy().max() * 0.6 else "black",
        )
    fig.colorbar(im, ax=ax, label="postings in force")
    ax.set_title(f"Load per sending unit (top {len(counts)})")
    return fig


def plot_map(run: Any, dataset: Dataset | None = None, show_units: bool = True) -> Figure:
    """Villages coloured by the sending level of their team; cluster teams (一队带多村) as
    edges from the host village to each village it covers; sending units as grey triangles."""
    r = load_runs(run)[0]
    ds = dataset or _dataset(r)
    level_of = dict(zip(r.teams.host_village_id, r.teams.level, strict=True))
    size_of = {v: int(n) for v, n in zip(r.teams.host_village_id, r.teams["size"], strict=True)}
    g = nx.Graph()
    pos = {}
    for vid, v in ds.villages.items():
        if v.x is None or v.y is None:
            continue
        g.add_node(vid)
        pos[vid] = (v.x, v.y)
    covered = {}
    for t in r.teams.itertuples(index=False):
        for w in filter(None, str(t.covered_village_ids).split(";")):
            covered[w] = t.host_village_id
            if w in pos and t.host_village_id in pos:
                g.add_edge(t.host_village_id, w)
    fig = Figure(figsize=(8.0, 7.0), layout="constrained")
    ax = fig.add_subplot()
    if show_units:
        ux = [(u.x, u.y) for u in ds.units.values() if u.x is not None and u.y is not None]
        if ux:
            xs, ys = zip(*ux, strict=True)
            ax.scatter(xs, ys, marker="^", s=14, c="#7f8c8d", alpha=0.5, zorder=1)
    nodes = list(g.nodes)
    colours = [
        COVERED_COLOUR if n in covered else LEVEL_COLOURS.get(level_of.get(n, ""), NONE_COLOUR)
        for n in nodes
    ]
    sizes = [18 + 14 * size_of.get(n, 0) for n in nodes]
    nx.draw_networkx_edges(g, pos, ax=ax, edge_color=COVERED_COLOUR, width=1.5)
    nx.draw_networkx_nodes(
        g,
        pos,
        nodelist=nodes,
        node_color=colours,
        node_size=sizes,
        ax=ax,
        linewidths=0.3,
        edgecolors="black",
    )
    handles = [
        Line2D([], [], marker="o", ls="", color=LEVEL_COLOURS[lv], label=lv)
        for lv in LEVELS
        if lv in set(level_of.values())
    ]
    handles.append(Line2D([], [], marker="o", ls="", color=NONE_COLOUR, label="no team"))
    if covered:
        handles.append(
            Line2D(
                [], [], marker="o", ls="-", color=COVERED_COLOUR, label="covered by a cluster team"
            )
        )
    if show_units:
        handles.append(Line2D([], [], marker="^", ls="", color="#7f8c8d", label="sending unit"))
    ax.legend(handles=handles, fontsize="small", loc="best")
    ax.set_aspect("equal")
    ax.set_xlabel("x km")
    ax.set_ylabel("y km")
    ax.tick_params(left=True, bottom=True, labelleft=True, labelbottom=True)
    ax.set_title(f"{r.name}: villages by sending level of their team (size = team size)")
    return fig


def sweep_value(run: Run, key: str) -> Any:
    """The value of a dotted scenario key in a run (``overrides.eligibility.max_age``); None
    when the scenario does not set it (the policy's own value applies)."""
    cur: Any = run.scenario
    for part in key.split("."):
        if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return None
    return cur


def plot_sweep(
    runs: Any,
    key: str,
    kpis: tuple[str, ...] = ("posts_filled_pct", "young_pct", "travel_km_mean", "cost_wan_yuan"),
) -> Figure:
    """KPIs (keys of ``compare.LABELS``) against a swept scenario key, one panel each. Runs
    are ordered by the key's value; a run without it (the policy default) comes last as
    ``none``."""
    from .compare import LABELS

    runs = load_runs(runs)
    pts = sorted(((sweep_value(r, key), kpi_values(r)) for r in runs),
                 key=lambda p: (p[0] is None, p[0] if p[0] is not None else 0))  # fmt: skip
    labels = ["none" if v is None else str(v) for v, _ in pts]
    fig = Figure(figsize=(3.4 * len(kpis), 3.2), layout="constrained")
    for i, k in enumerate(kpis):
        ax = fig.add_subplot(1, len(kpis), i + 1)
        ys = [vals.get(k) for _, vals in pts]
        ax.plot(range(len(ys)), [np.nan if y is None else y for y in ys], marker="o")
        ax.set_xticks(range(len(ys)), labels)
        ax.set_xlabel(key.split(".")[-1])
        ax.set_title(LABELS[k][0], fontsize="medium")
    fig.suptitle(f"Sweep over {key}")
    return fig


def save_plots(runs: Any, out: str | Path, prefix: str = "compare") -> list[Path]:
    """Every comparison chart and one map per run, as PNG files in ``out``."""
    runs = load_runs(runs)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    datasets = {r.name: _dataset(r) for r in runs}
    figures = {
        f"{prefix}-coverage.png": plot_coverage(runs),
        f"{prefix}-team-sizes.png": plot_team_sizes(runs),
        f"{prefix}-travel.png": plot_travel(runs, datasets),
        f"{prefix}-unit-load.png": plot_unit_load(runs),
    }
    for r in runs:
        figures[f"{prefix}-map-{r.name}.png"] = plot_map(r, datasets[r.name])
    written = []
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=110)
        written.append(out / name)
    return written


_CACHE: dict[tuple[Path, tuple[tuple[str, str], ...]], Dataset] = {}


def _dataset(run: Run) -> Dataset:
    """The run's dataset, loaded once per path per process."""
    from .loading import load_dataset

    path = run.dataset_path
    if path is None:
        raise InputError(
            [
                Problem(
                    str(run.path),
                    "cannot find the dataset of this run: no "
                    "dataset/ folder and the manifest's dataset path does not "
                    "exist; pass dataset=",
                )
            ]
        )
    key = (path.resolve(), tuple(sorted((run.manifest.get("input_files") or {}).items())))
    if key not in _CACHE:
        _CACHE[key] = load_dataset(path)
    return _CACHE[key]


__all__ = [
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
