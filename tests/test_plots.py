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
from optimizer.whatif.build import dataset_tables, write_dataset_files


@pytest.fixture
def runs(tmp_path):
    ds = dataset(
        [unit("U1", x=0.0), unit("U2", x=30.0), unit("U3", x=60.0)],
        [cadre(f"C{i}", "U1" if i < 3 else "U2" if i < 5 else "U3") for i in range(1, 7)],
        [village(f"V{i}", "demo", x=10.0 * i) for i in range(1, 6)],
    )
    a = write_run(
        tmp_path / "base",
        [
            _row("V1", "C1", "U1", "secretary"),
            _row("V1", "C2", "U1", "member"),
            _row("V2", "C3", "U2", "secretary"),
            _row("V3", "C4", "U2", "secretary"),
        ],
        [_team("V1", 2), _team("V2", 1, covered="V5", lead="U2"), _team("V3", 1, lead="U2")],
        KPIS_A,
    )
    b = write_run(
        tmp_path / "other",
        [
            _row("V1", "C2", "U1", "secretary"),
            _row("V1", "C5", "U3", "member"),
            _row("V4", "C4", "U2", "secretary"),
        ],
        [_team("V1", 2), _team("V4", 1, lead="U2")],
        KPIS_B,
    )
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
    from optimizer.whatif.plots import travel_distances
    from optimizer.whatif.runs import load_run

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
    assert [t.get_text() for t in first.get_xticklabels()] == ["55", "none"]  # no policy known
    assert list(first.lines[0].get_ydata()) == [75.0, 100.0]
    assert list(second.lines[0].get_ydata()) == [3, 2]


# --------------------------------------------------------------------------- issue 18 item 5


def _no_missing_glyphs(fig) -> list[str]:
    """Draw ``fig`` and return the "Glyph … missing" warnings it raised."""
    import io
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png", dpi=40)
    return [str(w.message) for w in caught if "Glyph" in str(w.message)]


def test_chinese_font_is_registered_and_covers_cjk():
    from optimizer.whatif.plotfont import PROBE, cjk_font, covers, font_path

    assert cjk_font() is not None, "install the declared dependency mplfonts"
    assert covers(font_path(), PROBE + "年龄上限岁▲")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_draws_chinese_names_without_missing_glyphs(runs, lang):
    from optimizer import plot_sweep

    (runs[0] / "scenario.yaml").write_text("name: 年龄上限57岁\n", "utf-8")
    figures = [
        plot_coverage(runs, lang=lang),
        plot_team_sizes(runs, lang=lang),
        plot_travel(runs, lang=lang),
        plot_unit_load(runs, lang=lang),
        plot_map(runs[0], lang=lang),
        plot_sweep(runs, "overrides.eligibility.max_age", kpis=("postings",), lang=lang),
    ]
    for fig in figures:
        assert _no_missing_glyphs(fig) == [], fig.axes[0].get_title()


def test_labels_are_chinese_under_zh(runs):
    ax = plot_coverage(runs, lang="zh").axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["重点帮扶村", "示范创建村"]
    assert ax.get_title() == "各类村覆盖率"
    legend = [t.get_text() for t in plot_map(runs[0], lang="zh").axes[0].get_legend().get_texts()]
    assert "县派" in legend and "一队带多村覆盖" in legend
    assert plot_team_sizes(runs, lang="zh").axes[0].get_ylabel() == "工作队数"


def test_unit_load_rows_show_unit_names_beside_codes(runs):
    ax = plot_unit_load(runs).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["U1 单位U1", "U2 单位U2", "U3 单位U3"]


def _set_policy(folder, policy: dict) -> None:
    import json

    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["policy"] = policy
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")


def test_sweep_places_the_policy_default_at_its_value(runs, tmp_path):
    """The key-team-size sweep: a baseline without the override sits at the policy's 3,
    between 2 and 4, not after 4."""
    import shutil

    from optimizer import plot_sweep

    third = tmp_path / "third"
    shutil.copytree(runs[1], third)
    for folder, doc in (
        (runs[0], "name: base\n"),
        (runs[1], "name: four\noverrides: {categories: {key: {min: 4}}}\n"),
        (third, "name: two\noverrides: {categories: {key: {min: 2}}}\n"),
    ):
        (folder / "scenario.yaml").write_text(doc, "utf-8")
        _set_policy(folder, {"categories": {"key": {"min": 3, "max": 5}}})
    fig = plot_sweep([runs[1], runs[0], third], "overrides.categories.key.min", kpis=("postings",))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2", "3 (policy)", "4"]
    zh = plot_sweep(
        [runs[1], runs[0]], "overrides.categories.key.min", kpis=("postings",), lang="zh"
    )
    assert [t.get_text() for t in zh.axes[0].get_xticklabels()] == ["3(政策默认)", "4"]


def test_sweep_puts_no_cap_last(runs):
    from optimizer import plot_sweep

    (runs[0] / "scenario.yaml").write_text("name: base\n", "utf-8")
    _set_policy(runs[0], {"eligibility": {"max_age": None}})
    (runs[1] / "scenario.yaml").write_text(
        "name: other\noverrides: {eligibility: {max_age: 55}}\n", "utf-8"
    )
    fig = plot_sweep(runs, "overrides.eligibility.max_age", kpis=("postings",), lang="zh")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["55", "无(政策默认)"]


def test_map_shows_townships_by_name_and_names_villages(tmp_path):
    import dataclasses

    ds = dataset(
        [unit("U1", level="province", x=0.0), unit("U2", x=30.0)],
        [cadre("C1", "U1"), cadre("C2", "U2")],
        [
            dataclasses.replace(village(f"A{i}", "key", x=float(i), township="甲镇"), y=y)
            for i, y in ((1, 0.0), (2, 3.0), (3, 1.0))
        ]
        + [
            dataclasses.replace(village(f"B{i}", "key", x=10.0 + i, township="乙乡"), y=y)
            for i, y in ((1, 0.0), (2, 3.0), (3, 1.0))
        ],
    )
    row = _row("A1", "C1", "U1", "secretary") | {"level": "province"}
    run = write_run(
        tmp_path / "r",
        [row, _row("B1", "C2", "U2", "secretary")],
        [_team("A1", 1) | {"level": "province"}, _team("B1", 1, lead="U2")],
        KPIS_A,
    )
    write_dataset_files(dataset_tables(ds), run / "dataset")
    (run / "unstaffed.csv").write_text(
        "village_id,village_name,categories,posts_missing,reason\nB2,村B2,key,3,T-SIZE\n", "utf-8"
    )
    ax = plot_map(run, lang="zh").axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"甲镇", "乙乡"} <= texts  # township names
    assert {"村A1", "村B2"} <= texts  # a province team's village, a short village
    assert len(ax.patches) == 2  # one shaded area per township
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "省派" in legend and "缺额或未派" in legend
    assert _no_missing_glyphs(ax.figure) == []


def test_cli_compare_plots_in_chinese(runs, recwarn):
    assert main(["compare", *map(str, runs), "--plots", "--lang", "zh", "--quiet"]) == 0
    assert (runs[0].parent / "compare-coverage.png").is_file()
    assert not [w for w in recwarn if "Glyph" in str(w.message)]
