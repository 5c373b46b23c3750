"""Smoke tests of the benchmark harness: the naive baseline on a tiny dataset, and the table
writer on a fake result row (no solving)."""

from __future__ import annotations

import csv

from factory import DAY, cadre, dataset, unit, village

import optimizer
from benchmarks.__main__ import COLUMNS, markdown_table, row, write_tables
from benchmarks.baseline import solve_baseline
from optimizer.policy import load_policy


def test_baseline_fills_what_the_product_fills():
    ds = dataset([unit("U1")], [cadre(f"C{i}", "U1") for i in range(3)],
                 [village("V1", "weak"), village("V2", "key")])  # fmt: skip
    policy = load_policy("central-2021")
    got = solve_baseline(ds, policy, DAY, time_limit=5)
    res = optimizer.solve(ds, policy, DAY, time_limit=5)
    assert got["status"] == "OPTIMAL"
    assert got["posts_filled"] == sum(f for f, _ in res.coverage.values())
    assert got["posts_required"] == sum(r for _, r in res.coverage.values())
    assert got["first_feasible"] is not None and got["trace"]


def test_tables_have_the_expected_columns(tmp_path):
    fake = {"status": "OPTIMAL", "first_feasible": 0.5, "wall": 2.0, "posts_filled": 3,
            "posts_required": 4, "objective": 100.0, "bound": 110.0, "gap": 0.1,
            "peak_rss_mb": 80.0, "clock": "no", "trace": []}  # fmt: skip
    rows = [row("county-1", "product", fake), row("county-1", "baseline", fake)]
    md = write_tables(rows, tmp_path)
    with open(tmp_path / "results.csv", encoding="utf-8") as fh:
        read = list(csv.DictReader(fh))
    assert list(read[0]) == COLUMNS
    assert [r["solver"] for r in read] == ["product", "baseline"]
    assert read[0]["posts_filled"] == "3"
    assert read[0]["clock_decided"] == "no"
    header = markdown_table(rows).splitlines()[0]
    assert header == "| " + " | ".join(COLUMNS) + " |"
    assert header in md and "10.00%" in md and "1.00×" in md
    assert (tmp_path / "results.md").read_text(encoding="utf-8") == md
