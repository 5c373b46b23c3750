"""Plot helpers draw what the runs hold: bars per category and run, boxes per run, the
cluster edges of the map; `compare --plots` saves them as PNG files."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from factory import cadre, dataset, unit, village
from matplotlib.collections import LineCollection, PathCollection
from test_compare import KPIS_A, KPIS_B, _row, _team, write_run

from optimizer import plot_coverage, plot_map, plot_team_sizes, plot_travel, plot_unit_load
from optimizer.cli import main
from optimizer.scenario import dataset_tables, write_dataset_files


@pytest.fixture
def runs(tmp_path):
    ds = dataset(
        [unit("U1", x=0.0), unit("U2", x=30.0), unit("U3", x=60.0)],
        [cadre(f"C{i}", "U1" if i < 3 else "U2" if i < 5 else "U3") for i in range(1, 7)],
        [village(f"V{i}", "demo", x=10.0 * i) for i in range(1, 6)],
    )
    a = write_run(
        tmp_path / "base",
        [_row("V1", "C1", "U1", "secretary"), _row("V1", "C2", "U1", "member"),
         _row("V2", "C3", "U2", "secretary"), _row("V3", "C4", "U2", "secretary")],
        [_team("V1", 2), _team("V2", 1, covered="V5", lead="U2"), _team("V3", 1, lead="U2")],
        KPIS_A,
    )  # fmt: skip
    b = write_run(
        tmp_path / "other",
        [_row("V1", "C2", "U1", "secretary"), _row("V1", "C5", "U3", "member"),
         _row("V4", "C4", "U2", "secretary")],
        [_team("V1", 2), _team("V4", 1, lead="U2")],
        KPIS_B,
    )  # fmt: skip
    for folder in (a, b):
        write_dataset_files(dataset_tables(ds), folder / "dataset")
    return [a, b]


def test_coverage_bars_per_category_and_run(runs):
    ax = plot_coverage(runs).axes[0]
    assert len(ax.patches) == 2 * 2  # categories key, demo × two runs
    assert sorted(round(p.get_height(), 1) for p in ax.patches) == [50.0, 100.0, 100.0, 100.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["key", "demo"]


def test_team_sizes(runs):
    ax = plot_team_sizes(runs).axes[0]
    heights = [int(p.get_height()) for p in ax.patches]
    assert heights == [2, 1, 1, 1]  # base: two 1s, one 2; other: one 1, one 2


def test_travel_boxes_use_unit_village_distances(runs):
    from optimizer.compare import load_run
    from optimizer.plots import travel_distances

    assert sorted(travel_distances(load_run(runs[0]))) == [0.0, 10.0, 10.0, 10.0]
    ax = plot_travel(runs).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["base", "other"]


def test_unit_load_heatmap(runs):
    fig = plot_unit_load(runs)
    img = fig.axes[0].images[0].get_array()
    assert img.shape == (3, 2) and int(img.sum()) == 7


def test_map_draws_cluster_edges_and_colours(runs):
    ax = plot_map(runs[0]).axes[0]
    edges = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(edges) == 1 and len(edges[0].get_segments()) == 1  # V2 covers V5
    nodes = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(nodes[-1].get_offsets()) == 5  # every village with coordinates
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "county" in labels and "covered by a cluster team" in labels


def test_cli_compare_plots(runs, capsys):
    assert main(["compare", *map(str, runs), "--plots", "--quiet"]) == 0
    out = runs[0].parent
    for name in ("coverage", "team-sizes", "travel", "unit-load", "map-base", "map-other"):
        png = out / f"compare-{name}.png"
        assert png.is_file() and png.read_bytes()[:4] == b"\x89PNG"


def test_sweep_plot_orders_by_value_none_last(runs):
    from optimizer import plot_sweep

    (runs[0] / "scenario.yaml").write_text("name: base\n", "utf-8")
    (runs[1] / "scenario.yaml").write_text(
        "name: other\noverrides: {eligibility: {max_age: 55}}\n", "utf-8"
    )
    fig = plot_sweep(
        runs, "overrides.eligibility.max_age", kpis=("posts_filled_pct", "units_sending")
    )
    first, second = fig.axes
    assert [t.get_text() for t in first.get_xticklabels()] == ["55", "none"]
    assert list(first.lines[0].get_ydata()) == [75.0, 100.0]
    assert list(second.lines[0].get_ydata()) == [3, 2]
