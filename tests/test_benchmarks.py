"""The benchmark harness (issue 16 items 5–6): rows, the careful baseline, failing rows."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from factory import cadre, dataset, unit, village

import optimizer
from benchmarks.baseline import solve_baseline
from benchmarks.careful import plan_careful
from benchmarks.cli import main
from benchmarks.planfolder import read_folder, write_folder
from benchmarks.report import COLUMNS, make_row
from benchmarks.runs import Judge, Measured, Run
from optimizer.data.loading import load_dataset
from optimizer.policy import load_policy

SHARED = Path("/work/shared/instances")
DAY = date(2025, 9, 1)
PRESETS = ("central-2021", "hunan-2021", "hebei-2018")

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared instances not present")


@needs_shared
@pytest.mark.parametrize("name", ["small-201", "tight-201"])
@pytest.mark.parametrize("policy", PRESETS)
def test_careful_plan_verifies_clean(tmp_path: Path, name: str, policy: str) -> None:
    ds = load_dataset(SHARED / name)
    pol = load_policy(policy)
    plan = plan_careful(ds, pol, DAY)
    write_folder(ds, pol, DAY, plan.postings, tmp_path / "plan", "careful")
    figs = read_folder(ds, pol, DAY, tmp_path / "plan")
    assert figs.hard == 0, figs.violations
    assert not plan.pins_unplaced
    assert sum(a for a, _ in figs.posts_by_class.values()) > 0


@needs_shared
def test_careful_keeps_class_order_on_tight() -> None:
    """Weak villages first: under hunan-2021 tight-201 every weak and key post is filled."""
    ds = load_dataset(SHARED / "tight-201")
    pol = load_policy("hunan-2021")
    plan = plan_careful(ds, pol, DAY)
    inst = plan.inst
    filled: dict[str, int] = {}
    for _, vid, _ in plan.postings:
        filled[inst.cls[vid]] = filled.get(inst.cls[vid], 0) + 1
    weak_need = sum(inst.need[v].min for v, c in inst.cls.items() if c == "weak")
    weak_inc = sum(len(inst.inc_by_village.get(v, ())) for v, c in inst.cls.items() if c == "weak")
    assert filled.get("weak", 0) + weak_inc >= weak_need


@needs_shared
def test_harness_row_has_every_column(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rc = main(
        [
            "--instances",
            str(SHARED / "small-201"),
            "--policy",
            "central-2021",
            "--solvers",
            "product,careful",
            "--limit",
            "3",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    rows = pd.read_csv(out / "results.csv", dtype=str, keep_default_na=False)
    assert list(rows.columns) == COLUMNS
    assert list(rows.solver) == ["product", "careful"]
    for _, r in rows.iterrows():
        assert r.verdict == "ok" and r.hard_violations == "0"
        assert r.posts and r.posts_by_class and r.wall_s and r.peak_rss_mb and r.points
    product = rows.iloc[0]
    # the overshoot column is filled; whether it holds depends on the machine's load
    assert product.time_ok in ("yes", "NO") and product.overshoot_s
    assert product.status and product.soft_gap
    assert "product / careful" in (out / "results.md").read_text(encoding="utf-8")


@needs_shared
def test_row_with_a_hard_violation_fails(tmp_path: Path) -> None:
    """A plan breaking a hard rule (a recalled cadre posted anew) fails its row."""
    ds = load_dataset(SHARED / "small-201")
    pol = load_policy("central-2021")
    plan = plan_careful(ds, pol, DAY)
    recalled = ds.recall[0].cadre_id
    vid = plan.postings[0][1]
    bad = [(recalled, vid, "member"), *plan.postings]
    folder = tmp_path / "plan"
    write_folder(ds, pol, DAY, bad, folder, "careful")
    (folder / "run.json").write_text(json.dumps({"status": "GREEDY"}), encoding="utf-8")
    run = Run(
        "small-201",
        SHARED / "small-201",
        "central-2021",
        DAY,
        "careful",
        3.0,
        folder,
        Measured(0, 1.0, 100.0),
        {"status": "GREEDY"},
    )
    judged = Judge().judge(run)
    assert judged["verdict"] == "FAIL" and judged["hard"] > 0
    row = make_row(run, judged)
    assert row["failed"] and "FAIL" in row["verdict"]


def test_killed_run_fails(tmp_path: Path) -> None:
    run = Run(
        "x",
        tmp_path,
        "central-2021",
        DAY,
        "product",
        1.0,
        tmp_path / "p",
        Measured(None, 5.0, None, killed=True),
    )
    row = make_row(run, Judge().judge(run))
    assert row["failed"] and "killed" in row["verdict"]


def test_bad_instances_folder_exits_2(tmp_path: Path) -> None:
    assert main(["--instances", str(tmp_path), "--out", str(tmp_path / "o")]) == 2


def test_naive_fills_what_the_product_fills(tmp_path: Path) -> None:
    """The naive model on a tiny dataset: same posts as the product, its plan verifies."""
    from factory import DAY as day

    ds = dataset(
        [unit("U1")],
        [cadre(f"C{i}", "U1") for i in range(3)],
        [village("V1", "weak"), village("V2", "key")],
    )
    policy = load_policy("central-2021")
    got = solve_baseline(ds, policy, day, time_limit=5)
    res = optimizer.solve(ds, policy, day, time_limit=5)
    assert got["status"] == "OPTIMAL"
    assert got["posts_filled"] == sum(f for f, _ in res.coverage.values())
    write_folder(ds, policy, day, got["assignments"], tmp_path / "plan", "naive")
    assert read_folder(ds, policy, day, tmp_path / "plan").hard == 0


def test_realistic_dataset_has_the_shared_instances_features(tmp_path: Path) -> None:
    """--realistic: recalls, require and forbid pins, mid-term replacements, must-send units
    at the threshold, a shortage of secretaries; it loads, and careful's plan verifies."""
    from benchmarks.realistic import make_realistic
    from optimizer.data.generate import generate, write_dataset

    day = date(2026, 9, 1)
    t = make_realistic(generate("county", 3, day), 3, day)
    write_dataset(t, tmp_path / "d")
    ds = load_dataset(tmp_path / "d", plan_date=day)
    assert ds.recall and {p.kind for p in ds.pins} == {"require", "forbid"}
    assert any(p.start == date(2026, 3, 1) and p.end is None for p in ds.history)
    assert any(u.level == "province" and 40 <= (u.staff or 0) <= 45 for u in ds.units.values())
    assert (t["cadres"].political_status == "none").sum() > 0
    for policy in PRESETS:
        pol = load_policy(policy)
        plan = plan_careful(ds, pol, day)
        write_folder(ds, pol, day, plan.postings, tmp_path / policy, "careful")
        assert read_folder(ds, pol, day, tmp_path / policy).hard == 0, policy
