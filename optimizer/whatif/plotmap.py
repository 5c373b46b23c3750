"""The plan drawn as a map from the dataset's coordinates (no map tiles, nothing fetched).

Townships are shaded areas (the hull of their villages) with their names; villages are dots
coloured by the sending level of their team and sized by team size; a cluster team
(一队带多村) is an edge from its host to each village it covers; short or unstaffed villages
are ringed in red and named, as are cluster hosts, so a planner finds them on the page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from optimizer.data.domain import LEVELS, Dataset
from optimizer.data.errors import InputError, Problem
from optimizer.data.loading import load_dataset
from optimizer.whatif.plotfont import chinese_text, level_label, word
from optimizer.whatif.runs import Run, load_runs

LEVEL_COLOURS = {
    "province": "#c0392b",
    "city": "#e67e22",
    "county": "#2980b9",
    "township": "#27ae60",
}
NONE_COLOUR, COVERED_COLOUR, SHORT_COLOUR = "#d0d0d0", "#8e44ad", "#e74c3c"
TOWNSHIP_SHADES = ("#f2f4f4", "#eaf2f8", "#fef9e7", "#e9f7ef", "#f5eef8", "#fdedec")
MAX_NAMES = 30
"""Village names drawn at most (the rest stay readable in plan.xlsx)."""


_CACHE: dict[tuple[Path, tuple[tuple[str, str], ...]], Dataset] = {}


def run_dataset(run: Run) -> Dataset:
    """The run's dataset, loaded once per path per process."""
    path = run.dataset_path
    if path is None:
        raise InputError(
            [
                Problem(
                    str(run.path),
                    "cannot find the dataset of this run: no dataset/ folder and the "
                    "manifest's dataset path does not exist; pass dataset=",
                )
            ]
        )
    key = (path.resolve(), tuple(sorted((run.manifest.get("input_files") or {}).items())))
    if key not in _CACHE:
        _CACHE[key] = load_dataset(path)
    return _CACHE[key]


def _townships(ax: Axes, ds: Dataset) -> None:
    """Shade each township's villages (their convex hull) and write its name at the centre."""
    from scipy.spatial import ConvexHull, QhullError

    groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for v in ds.villages.values():
        if v.township and v.x is not None and v.y is not None:
            groups[v.township].append((v.x, v.y))
    for i, (name, pts) in enumerate(sorted(groups.items())):
        arr = np.array(pts)
        if len(arr) >= 3:
            try:
                hull = arr[ConvexHull(arr).vertices]
            except QhullError:  # all on one line
                hull = None
            if hull is not None:
                shade = TOWNSHIP_SHADES[i % len(TOWNSHIP_SHADES)]
                ax.add_patch(Polygon(hull, closed=True, fc=shade, ec="#95a5a6", lw=0.6, zorder=0))
        cx, cy = arr.mean(axis=0)
        ax.text(cx, cy, name, ha="center", va="center", fontsize=10, color="#34495e", zorder=3,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.6})  # fmt: skip


def _names_to_show(r: Any, ds: Dataset, label: Iterable[str] | None) -> list[str]:
    """Villages named on the map: the caller's, else short ones first, then cluster hosts,
    then the villages of province-level teams."""
    if label is not None:
        chosen = list(label)
    else:
        short = list(r.unstaffed.village_id) if "village_id" in r.unstaffed else []
        hosts = [t.host_village_id for t in r.teams.itertuples(index=False)
                 if str(t.covered_village_ids)]  # fmt: skip
        province = [t.host_village_id for t in r.teams.itertuples(index=False)
                    if t.level == "province"]  # fmt: skip
        chosen = short + hosts + province
    seen = dict.fromkeys(v for v in chosen if v in ds.villages)
    return list(seen)[:MAX_NAMES]


def plot_map(
    run: Any,
    dataset: Dataset | None = None,
    show_units: bool = True,
    lang: str = "en",
    label: Iterable[str] | None = None,
) -> Figure:
    """One run on a map of its county (or city, or province): townships, teams, clusters.

    ``label`` names the villages to write on the map (default: short or unstaffed villages,
    cluster hosts, villages of province-level teams; at most :data:`MAX_NAMES`)."""
    r = load_runs(run)[0]
    ds = dataset or run_dataset(r)
    with chinese_text():
        return _draw(r, ds, show_units, lang, label)


def _draw(r: Any, ds: Dataset, show_units: bool, lang: str, label: Any) -> Figure:  # noqa: C901 - one layer per map element
    level_of = dict(zip(r.teams.host_village_id, r.teams.level, strict=True))
    size_of = {v: int(n) for v, n in zip(r.teams.host_village_id, r.teams["size"], strict=True)}
    short = set(r.unstaffed.village_id) if "village_id" in r.unstaffed else set()
    g = nx.Graph()
    pos = {}
    for vid, v in ds.villages.items():
        if v.x is not None and v.y is not None:
            g.add_node(vid)
            pos[vid] = (v.x, v.y)
    covered = {}
    for t in r.teams.itertuples(index=False):
        for w in filter(None, str(t.covered_village_ids).split(";")):
            covered[w] = t.host_village_id
            if w in pos and t.host_village_id in pos:
                g.add_edge(t.host_village_id, w)
    fig = Figure(figsize=(9.0, 8.0), layout="constrained")
    ax = fig.add_subplot()
    _townships(ax, ds)
    if show_units:
        ux = [(u.x, u.y) for u in ds.units.values() if u.x is not None and u.y is not None]
        if ux:
            xs, ys = zip(*ux, strict=True)
            ax.scatter(xs, ys, marker="^", s=14, c="#7f8c8d", alpha=0.5, zorder=1)
    rings = [pos[v] for v in short if v in pos]
    if rings:
        ax.scatter(*zip(*rings, strict=True), s=160, facecolors="none",
                   edgecolors=SHORT_COLOUR, linewidths=1.6, zorder=2)  # fmt: skip
    nodes = list(g.nodes)
    colours = [
        COVERED_COLOUR if n in covered else LEVEL_COLOURS.get(level_of.get(n, ""), NONE_COLOUR)
        for n in nodes
    ]
    sizes = [18 + 14 * size_of.get(n, 0) for n in nodes]
    nx.draw_networkx_edges(g, pos, ax=ax, edge_color=COVERED_COLOUR, width=1.5)
    nx.draw_networkx_nodes(g, pos, nodelist=nodes, node_color=colours, node_size=sizes, ax=ax,
                           linewidths=0.3, edgecolors="black")  # fmt: skip
    for vid in _names_to_show(r, ds, label):
        if vid in pos:
            ax.annotate(ds.villages[vid].name, pos[vid], xytext=(4, 4),
                        textcoords="offset points", fontsize=7, zorder=4)  # fmt: skip
    ax.legend(handles=_legend(set(level_of.values()), bool(covered), bool(rings), show_units,
                              lang), fontsize="small", loc="best")  # fmt: skip
    ax.set_aspect("equal")
    ax.set_xlabel(word("x_km", lang))
    ax.set_ylabel(word("y_km", lang))
    ax.tick_params(left=True, bottom=True, labelleft=True, labelbottom=True)
    ax.set_title(word("map_title", lang, name=r.name), fontsize="medium")
    return fig


def _legend(levels: set[str], covered: bool, short: bool, units: bool, lang: str) -> list:
    def dot(colour: str, text: str, **kw: Any) -> Line2D:
        return Line2D([], [], marker=kw.pop("marker", "o"), ls=kw.pop("ls", ""), color=colour,
                      label=text, **kw)  # fmt: skip

    handles = [dot(LEVEL_COLOURS[lv], level_label(lv, lang)) for lv in LEVELS if lv in levels]
    handles.append(dot(NONE_COLOUR, word("no_team", lang)))
    if covered:
        handles.append(dot(COVERED_COLOUR, word("covered", lang), ls="-"))
    if short:
        handles.append(dot(SHORT_COLOUR, word("unstaffed", lang), markerfacecolor="none",
                           markersize=10))  # fmt: skip
    if units:
        handles.append(dot("#7f8c8d", word("unit", lang), marker="^"))
    return handles
