"""Posting ledger: import, approve, export; refusals and interrupted writes leave it unchanged;
a two-term changeover through the ledger keeps H-NOREPEAT and H-CONTINUITY."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import base_tables, write_tables
from factory import DAY, Posting, cadre, dataset, unit, village

from optimizer import load_policy, solve, verify_plan
from optimizer.cli import main
from optimizer.data.errors import InputError
from optimizer.data.loading import load_dataset
from optimizer.plans.build import write_plan
from optimizer.terms import ledger as L
from optimizer.terms import record
from optimizer.terms.check import Approval, prepare_check
from optimizer.terms.intake import read_plan_for_ledger

HISTORY = [
    {"cadre_id": "C1", "unit_id": "U1", "village_id": "V1", "level": "province",
     "role": "secretary", "start": "2022-09-01", "end": "2024-09-01"},
    {"cadre_id": "C3", "unit_id": "U2", "village_id": "V2", "level": "county",
     "role": "member", "start": "2025-09-01", "end": ""},
]  # fmt: skip


def snapshot(db: Path) -> list[tuple]:
    """Everything in the ledger but timestamps: the thing that must not change on refusal."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT * FROM postings ORDER BY posting_id").fetchall()
        rows += con.execute("SELECT batch_id, kind, digest FROM batches").fetchall()
        rows += con.execute("SELECT * FROM people ORDER BY cadre_id").fetchall()
    finally:
        con.close()
    return rows


@pytest.fixture
def folder(tmp_path) -> Path:
    t = base_tables()
    t["cadres"][0]["联系电话"] = "13812345678"
    t["cadres"][0]["身份证号"] = "430102198003151234"
    t["history"] = HISTORY
    return write_tables(tmp_path / "ds", t)


def tiny_plan(tmp_path: Path) -> tuple[Path, object]:
    """A solved plan folder for a factory dataset: V1 weak and V2 weak, one incumbent."""
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2025, 9, 1), None),
            Posting("X", "U1", "V2", "county", "secretary", date(2023, 9, 1), date(2025, 9, 1))]  # fmt: skip
    ds = dataset(
        [unit("U1")],
        [cadre(c, "U1") for c in ("A", "B", "X")],
        [village("V1", "weak"), village("V2", "weak")],
        history=hist,
    )
    res = solve(ds, load_policy("central-2021"), DAY, time_limit=20)
    out = tmp_path / "plan"
    write_plan(res.tables, out)
    return out, ds


def test_import_records_history_and_people_then_refuses_twice(folder, tmp_path):
    db = tmp_path / "l.db"
    out = L.import_dataset(db, folder)
    assert (out.added, out.already, out.batch_id) == (2, 0, 1)
    with L.Ledger(db) as lg:
        got = [(e.cadre_id, e.village_id, e.role, e.start, e.end) for e in lg.history()]
        people = lg.people()
    assert got == [
        ("C1", "V1", "secretary", date(2022, 9, 1), date(2024, 9, 1)),
        ("C3", "V2", "member", date(2025, 9, 1), None),
    ]
    assert people["C1"]["phone"] == "13812345678" and people["C1"]["birth_date"] == "1980-03-15"
    before = snapshot(db)
    with pytest.raises(InputError, match="already recorded in this ledger as batch 1"):
        L.import_dataset(db, folder)
    assert snapshot(db) == before


def test_export_is_a_loadable_history_table_as_of_a_date(folder, tmp_path):
    db = tmp_path / "l.db"
    L.import_dataset(db, folder)
    out = tmp_path / "h.csv"
    assert L.export_history(db, date(2024, 1, 1), out) == 1  # the 2025 posting had not begun
    assert L.export_history(db, date(2026, 1, 1), out) == 2
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns[:7]) == [
        "cadre_id",
        "unit_id",
        "village_id",
        "level",
        "role",
        "start",
        "end",
    ]
    assert frame.loc[0, "phone"] == "13812345678" and frame.loc[0, "cadre_name"] == "张三"
    (folder / "history.csv").unlink()
    out.rename(folder / "history.csv")
    ds = load_dataset(folder)  # extra columns (names, phone …) are ignored by the loader
    assert [(p.cadre_id, p.end) for p in ds.history] == [("C1", date(2024, 9, 1)), ("C3", None)]


def test_export_redact_masks_or_drops_personal_columns(folder, tmp_path):
    db = tmp_path / "l.db"
    L.import_dataset(db, folder)
    with L.Ledger(db) as lg:
        masked = lg.history_frame(None, "mask")
        dropped = lg.history_frame(None, "drop")
    row = masked.iloc[0]
    assert (row.birth_date, row.phone, row.id_number) == (
        "1980",
        "138****5678",
        "430102********1234",
    )
    assert not {"birth_date", "phone", "id_number"} & set(dropped.columns)
    assert "cadre_name" in dropped.columns  # names stay: redaction is not anonymisation


def test_approve_records_new_postings_and_closes_open_incumbent_terms(tmp_path):
    plan, ds = tiny_plan(tmp_path)
    db = tmp_path / "l.db"
    out = L.approve_plan(db, plan, ds)
    assert (out.added, out.terms_set) == (2, 1)
    with L.Ledger(db) as lg:
        got = {(e.cadre_id, e.village_id, e.role, e.start, e.end) for e in lg.history()}
    # A's open posting (2025-09-01) ends with its 2-year term; B starts on the plan date
    assert got == {
        ("A", "V1", "secretary", date(2025, 9, 1), date(2027, 9, 1)),
        ("B", "V2", "secretary", DAY, date(2028, 9, 1)),
    }
    before = snapshot(db)
    with pytest.raises(InputError, match="already recorded"):
        L.approve_plan(db, plan, ds)
    assert snapshot(db) == before


def test_approve_refuses_overlap_with_a_clear_message(tmp_path):
    plan, ds = tiny_plan(tmp_path)
    db = tmp_path / "l.db"
    L.approve_plan(db, plan, ds)
    before = snapshot(db)
    other = tmp_path / "other"
    other.mkdir()
    for f in ("manifest.json", "plan.csv"):
        (other / f).write_bytes((plan / f).read_bytes())
    text = (other / "plan.csv").read_text("utf-8")
    (other / "plan.csv").write_text(text.replace("V2,村V2,T-V2", "V9,村V9,T-V9"), "utf-8")
    # the verifier would refuse V9 (not in the dataset) first: this is the ledger's own check
    check = prepare_check(
        other,
        json.loads((other / "manifest.json").read_text("utf-8")),
        DAY,
        2,
        ds,
        "central-2021",
        set(),
    )
    with pytest.raises(InputError) as err, L.Ledger(db) as lg:
        lg.approve(read_plan_for_ledger(other), Approval(check), accepted=[])
    lines = [str(p) for p in err.value.problems]
    assert lines[0] == (
        "plan.csv, row 3, column cadre_id: value 'B': posting B (干部B) secretary at V9 for U1, "
        "2026-09-01–2028-09-01 overlaps a posting of the same cadre already recorded: "
        "B (干部B) secretary at V2 for U1, 2026-09-01–2028-09-01"
    )
    assert lines[-1].startswith("plan.csv: refused: nothing was written")
    assert snapshot(db) == before


def test_bad_plan_rows_are_all_reported_and_nothing_written(tmp_path):
    plan, _ = tiny_plan(tmp_path)
    text = (plan / "plan.csv").read_text("utf-8").splitlines()
    text[1] = text[1].replace("secretary", "chief")
    text[2] = text[2].replace("2028-09-01", "soon")
    (plan / "plan.csv").write_text("\n".join(text) + "\n", "utf-8")
    db = tmp_path / "l.db"
    with pytest.raises(InputError) as err:
        L.approve_plan(db, plan)
    got = [(p.row, p.column) for p in err.value.problems]
    assert got == [(2, "role"), (3, "end")]
    assert not db.exists()  # refused before the ledger was even opened


def test_a_failure_midway_rolls_the_whole_batch_back(tmp_path, monkeypatch):
    plan, ds = tiny_plan(tmp_path)
    db = tmp_path / "l.db"
    L.import_dataset(db, load_dataset_like(tmp_path))
    before = snapshot(db)
    real = record.insert_posting
    calls = []

    def flaky(cur, e, batch_id):
        calls.append(e.cadre_id)
        raise RuntimeError("disk unplugged")
        real(cur, e, batch_id)

    monkeypatch.setattr(record, "insert_posting", flaky)
    with pytest.raises(RuntimeError, match="disk unplugged"):
        L.approve_plan(db, plan, ds)
    assert calls == ["B"] and snapshot(db) == before  # A's term end (an UPDATE) undone too
    monkeypatch.setattr(record, "insert_posting", real)
    assert L.approve_plan(db, plan, ds).added == 1  # the ledger is usable, nothing half-written


def load_dataset_like(tmp_path: Path):
    """The tiny plan's own history, imported first: A's open posting, X's ended one."""
    hist = [Posting("A", "U1", "V1", "county", "secretary", date(2025, 9, 1), None),
            Posting("X", "U1", "V2", "county", "secretary", date(2023, 9, 1), date(2025, 9, 1))]  # fmt: skip
    return dataset(
        [unit("U1")],
        [cadre(c, "U1") for c in ("A", "B", "X")],
        [village("V1", "weak"), village("V2", "weak")],
        history=hist,
    )


def test_a_crash_midway_leaves_the_ledger_as_it_was(tmp_path):
    """The process dies (no exception handling, no rollback call) after two inserts: SQLite's
    journal restores the ledger when it is next opened."""
    plan, ds = tiny_plan(tmp_path)
    db = tmp_path / "l.db"
    L.import_dataset(db, load_dataset_like(tmp_path))
    before = snapshot(db)
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_ledger import load_dataset_like
        from optimizer.terms import ledger as L
        from optimizer.terms import record
        real, n = record.insert_posting, [0]
        def dying(cur, e, batch_id):
            real(cur, e, batch_id)
            n[0] += 1
            if n[0] == 1:
                os._exit(9)
        record.insert_posting = dying
        L.approve_plan({str(db)!r}, {str(plan)!r}, load_dataset_like(None))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == 9, proc.stderr.decode()
    assert snapshot(db) == before
    assert L.approve_plan(db, plan, ds).added == 1


def test_open_ledger_problems_are_one_line(tmp_path):
    bad = tmp_path / "x.db"
    bad.write_text("not a database", "utf-8")
    with pytest.raises(InputError, match="is not a zhucun ledger"):
        L.Ledger(bad)
    with pytest.raises(InputError, match="no such ledger file"):
        L.export_history(tmp_path / "none.db", DAY, tmp_path / "h.csv")


def test_cli_ledger_commands_and_exit_codes(folder, tmp_path, capsys):
    db = str(tmp_path / "l.db")
    assert main(["ledger", "import", str(folder), "--ledger", db]) == 0
    assert "2 posting(s) added" in capsys.readouterr().err
    assert main(["ledger", "import", str(folder), "--ledger", db, "--lang", "zh"]) == 2
    assert "already recorded" in capsys.readouterr().err
    out = tmp_path / "h.csv"
    assert (
        main(
            [
                "ledger",
                "export",
                "--date",
                "2026-01-01",
                "--out",
                str(out),
                "--ledger",
                db,
                "--redact",
                "--quiet",
            ]
        )
        == 0
    )
    assert pd.read_csv(out, dtype=str).loc[0, "phone"] == "138****5678"
    assert main(["ledger", "export", "--out", str(tmp_path / "h.xlsx"), "--ledger", db]) == 2
    assert "expected a .csv file" in capsys.readouterr().err


# --------------------------------------------------------------------------- changeover


def term_dataset():
    """Three key villages, their last teams (2023–2026) from U1, U2, U3; four units with enough
    people for three more terms of 3-person teams."""
    units = [unit(f"U{i}", x=10.0 * i) for i in range(1, 5)]
    cadres = [cadre(f"U{i}c{j:02d}", f"U{i}") for i in range(1, 5) for j in range(12)]
    villages = [village(f"V{i}", "key", x=10.0 * i) for i in range(1, 4)]
    old = date(2023, 9, 1)
    hist = [
        Posting(f"U{i}c00", f"U{i}", f"V{i}", "county", "secretary", old, DAY) for i in range(1, 4)
    ]
    hist += [
        Posting(f"U{i}c01", f"U{i}", f"V{i}", "county", "member", old, DAY) for i in range(1, 4)
    ]
    return dataset(units, cadres, villages, history=hist)


@pytest.mark.parametrize("preset", ["hebei-2018", "central-2021"])
def test_two_terms_through_the_ledger(tmp_path, preset):
    """solve → approve → advance the date by the term → solve: nobody returns to a former
    village, Hebei keeps each village's unit, new postings start when the old team leaves."""
    pol = load_policy(preset)
    ds = term_dataset()
    db = tmp_path / "l.db"
    L.import_dataset(db, ds)
    day = DAY
    seen_units: dict[str, set[str]] = {}
    for term in range(3):
        res = solve(ds, pol, day, time_limit=20)
        assert res.status == "OPTIMAL" and res.all_filled
        out = tmp_path / f"plan{term}"
        write_plan(res.tables, out)
        assert not [v for v in verify_plan(ds, out, pol) if v.severity == "hard"]
        plan = res.plan
        for p in ds.history:  # H-NOREPEAT across every earlier term
            assert not ((plan.cadre_id == p.cadre_id) & (plan.village_id == p.village_id)).any()
        for vid, grp in plan.groupby("village_id"):
            lead = grp[grp.role == "secretary"].unit_id.iloc[0]
            seen_units.setdefault(vid, set()).add(lead)
            prev_end = max(p.end for p in ds.history if p.village_id == vid)
            assert set(grp.start) == {prev_end.isoformat()} == {day.isoformat()}  # handover
        L.approve_plan(db, out, ds)
        day = date(day.year + pol.term_years, day.month, day.day)
        with L.Ledger(db) as lg:
            ds = replace(ds, history=[e.posting() for e in lg.history(day)])
    if preset == "hebei-2018":  # H-CONTINUITY hard: the unit keeps its village every term
        assert seen_units == {"V1": {"U1"}, "V2": {"U2"}, "V3": {"U3"}}
    size = 3 if preset == "hebei-2018" else 2  # key villages: 3–3 in Hebei, 2–5 centrally
    assert len(ds.history) == 6 + 3 * 3 * size  # the old term and three new ones, all recorded


def test_solve_takes_the_history_from_the_ledger(tmp_path, folder):
    db = tmp_path / "l.db"
    empty = write_tables(tmp_path / "nohist", base_tables())
    L.import_dataset(db, folder)
    out = tmp_path / "run"
    code = main(
        [
            "solve",
            str(empty),
            "--policy",
            "central-2021",
            "--date",
            "2026-09-01",
            "--out",
            str(out),
            "--ledger",
            str(db),
            "--quiet",
        ]
    )
    assert code in (0, 3)
    plan = pd.read_csv(out / "plan.csv", dtype=str, keep_default_na=False)
    # the ledger's open posting (C3 at V2 since 2025) is an incumbent although the dataset
    # itself has no history table
    assert plan[plan.cadre_id == "C3"][["village_id", "status"]].values.tolist() == [
        ["V2", "incumbent"]
    ]


@pytest.mark.slow
def test_two_terms_on_the_county_sample_under_hebei(tmp_path):
    """The bundled county through a changeover with Hebei's hard continuity and 3-year term:
    in the second plan the history rules hold (H-NOREPEAT over both earlier terms,
    H-CONTINUITY against the first plan's teams, H-INCUMBENT).

    Where a unit keeping its village has no secretary left who has not served there, the
    people stage fills secretary seats first and never posts members without one (T-SEC)."""
    sample = Path(__file__).resolve().parents[1] / "scenarios" / "sample-county"
    pol = load_policy("hebei-2018")
    ds = load_dataset(sample)
    db = tmp_path / "l.db"
    L.import_dataset(db, sample)
    res = solve(ds, pol, DAY, time_limit=120)
    write_plan(res.tables, tmp_path / "p0")
    L.approve_plan(db, tmp_path / "p0")
    day = date(DAY.year + pol.term_years, DAY.month, DAY.day)
    L.use_ledger(ds, db, day)
    res1 = solve(ds, pol, day, time_limit=120)
    assert res1.has_plan
    write_plan(res1.tables, tmp_path / "p1")
    hard = [v for v in verify_plan(ds, tmp_path / "p1", pol) if v.severity == "hard"]
    assert hard == [], [(v.rule, v.village_id, v.detail_en) for v in hard]
    # villages whose whole first-plan team was new end together on the changeover day: that
    # team is the previous period, and Hebei keeps its unit (staggered incumbents aside)
    p0 = res.plan
    first = p0[(p0.role == "secretary") & (p0.status == "new")].set_index("village_id").unit_id
    second = res1.plan[res1.plan.role == "secretary"].set_index("village_id").unit_id
    both = first.index.intersection(second.index)
    assert len(both) > 100 and (first[both] == second[both]).all()
