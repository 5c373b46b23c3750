"""Ledger under hostile input and concurrency (issue 14): approvals racing each other, plans
that would break the ledger later, revoking a batch, and a file others cannot read."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from conftest import base_tables, write_tables
from factory import DAY

from optimizer import load_policy
from optimizer.cli import main
from optimizer.data.errors import InputError
from optimizer.data.loading import load_dataset
from optimizer.model.solve import solve
from optimizer.plans.build import write_plan
from optimizer.terms import db as ledger_db
from optimizer.terms import ledger as L
from optimizer.terms import record
from optimizer.terms.revoke import revoke_batch

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A dataset of two alike key villages and four alike cadres, a solved plan P for it and
    the plan Q that swaps the two teams' people: each valid alone, the two overlap."""
    d = tmp_path_factory.mktemp("pair")
    t = base_tables()
    c1, v = t["cadres"][0], t["villages"][1]
    t["units"] = [t["units"][1]]
    t["cadres"] = [dict(c1, cadre_id=f"P{i}", name=f"甲{i}", unit_id="U2") for i in range(1, 5)]
    t["villages"] = [dict(v, village_id=f"V{i}", name=f"村{i}", categories="key") for i in (1, 2)]
    data = write_tables(d / "ds", t)
    res = solve(load_dataset(data), load_policy("central-2021"), DAY, time_limit=20)
    assert res.status == "OPTIMAL" and res.all_filled
    write_plan(res.tables, d / "P")
    q = copy_plan(d / "P", d / "Q")
    text = (q / "plan.csv").read_text("utf-8")
    v1 = [ln.split(",")[3] for ln in text.splitlines() if ln.startswith("V1,")]
    v2 = [ln.split(",")[3] for ln in text.splitlines() if ln.startswith("V2,")]
    assert len(v1) == len(v2) == 2
    for a, b in zip(v1, v2, strict=True):  # swap the people of the two teams
        text = text.replace(f",{a},甲{a[1]},", ",@,").replace(f",{b},甲{b[1]},", f",{a},甲{a[1]},")
        text = text.replace(",@,", f",{b},甲{b[1]},")
    (q / "plan.csv").write_text(text, "utf-8")
    return data, d / "P", q


def copy_plan(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


def postings(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            'SELECT cadre_id, village_id, role, start, "end", batch_id FROM postings '
            "ORDER BY cadre_id, start"
        ).fetchall()
    finally:
        con.close()


def cli(*argv: str, cwd: Path = ROOT, timeout: float = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "optimizer.cli", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


# --------------------------------------------------------------------------- race


RACER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from optimizer.cli import main
    from optimizer import verify  # everything loaded before the start
    from optimizer.terms import check, ledger
    go = Path(sys.argv[1])
    while not go.exists():
        time.sleep(0.002)
    sys.exit(main(sys.argv[2:]))
""")


def test_ledger_race_conflicting_approvals_never_both_land(pair, tmp_path):
    """Plans P and Q (the same people, swapped villages) and P again, approved by three
    processes released together on a ledger that does not exist yet, three times over: one
    lands, the others are refused (exit 2, a clear line), never an internal error."""
    data, p, q = pair
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for round_ in range(3):
        db, go = tmp_path / f"l{round_}.db", tmp_path / f"go{round_}"
        argv = ["ledger", "approve", "--data", str(data), "--ledger", str(db), "--quiet"]
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", RACER, str(go), *argv, str(plan)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for plan in (p, q, p)
        ]
        time.sleep(3.0)  # let all three import and wait at the start line
        go.touch()
        results = [(pr.wait(timeout=180), pr.stderr.read()) for pr in procs]
        codes = sorted(c for c, _ in results)
        assert codes == [0, 2, 2], results
        for code, err in results:
            assert "internal error" not in err and "Traceback" not in err
            if code == 2:
                assert "overlaps a posting of the same cadre" in err or "already recorded" in err
        rows = postings(db)
        assert len(rows) == 4 and len({r[0] for r in rows}) == 4  # one plan, no cadre twice


def test_ledger_race_busy_ledger_is_one_clear_line_and_exit_2(pair, tmp_path):
    data, p, _ = pair
    db = tmp_path / "l.db"
    L.import_dataset(db, data)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another command is writing
    try:
        t0 = time.monotonic()
        run = cli(
            "ledger", "approve", str(p), "--data", str(data), "--ledger", str(db), "--wait", "1"
        )
        elapsed = time.monotonic() - t0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "the ledger is busy" in lines[0] and "1 s" in lines[0], lines
    assert elapsed < 60  # bounded: about a second of waiting, plus starting Python
    assert len(postings(db)) == 0
    assert L.approve_plan(db, p, data).added == 4  # once free, the same approval lands


def test_ledger_race_checks_run_under_the_write_lock(pair, tmp_path, monkeypatch):
    """The duplicate and overlap checks read the ledger inside the transaction: Q approved
    while P's approval holds the lock (just before it commits) is refused after it."""
    data, p, q = pair
    db = tmp_path / "l.db"
    real = record.insert_posting
    results: dict[str, object] = {}

    def approve_q():
        results["q"] = cli(
            "ledger", "approve", str(q), "--data", str(data), "--ledger", str(db), "--wait", "60"
        )

    def slow(cur, e, batch_id):
        real(cur, e, batch_id)
        if "started" not in results:
            results["started"] = True
            th.start()
            time.sleep(4.0)  # hold the write lock while Q's process starts and waits for it

    th = threading.Thread(target=approve_q)
    monkeypatch.setattr(record, "insert_posting", slow)
    assert L.approve_plan(db, p, data).added == 4
    th.join(timeout=180)
    q_run = results["q"]
    assert q_run.returncode == 2, q_run.stderr  # type: ignore[union-attr]
    assert "overlaps a posting of the same cadre" in q_run.stderr  # type: ignore[union-attr]
    assert len(postings(db)) == 4


# --------------------------------------------------------------------------- invalid plans


def edited(plan: Path, tmp_path: Path, name: str, edit) -> Path:
    out = copy_plan(plan, tmp_path / name)
    text = (out / "plan.csv").read_text("utf-8").splitlines()
    (out / "plan.csv").write_text("\n".join(edit(text)) + "\n", "utf-8")
    return out


def test_ledger_refuses_invalid_plan_unknown_cadre_even_when_accepted(pair, tmp_path, capsys):
    data, p, _ = pair
    bad = edited(p, tmp_path, "unk", lambda t: [t[0], t[1].replace(",P", ",X9", 1), *t[2:]])
    db = tmp_path / "l.db"
    for extra in ([], ["--accept-violations", "--note", "the county said so"]):
        code = main(
            ["ledger", "approve", str(bad), "--data", str(data), "--ledger", str(db), *extra]
        )
        err = capsys.readouterr().err
        assert code == 2 and "PLAN-UNKNOWN-ID" in err and "X9" in err, err
        assert "structural" in err and "internal error" not in err
    assert not db.exists()  # refused before the ledger was touched


def test_ledger_refuses_invalid_plan_without_its_first_secretary(pair, tmp_path, capsys):
    """A team without its first secretary: refused naming the rule; recorded only with the
    violations accepted and a note, which the batch keeps; the ledger stays usable."""
    data, p, _ = pair
    bad = edited(
        p,
        tmp_path,
        "nosec",
        lambda t: [r for r in t if ",secretary," not in r or not r.startswith("V1,")],
    )
    db = tmp_path / "l.db"
    args = ["ledger", "approve", str(bad), "--data", str(data), "--ledger", str(db)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "T-SEC V1" in err and "refused: the plan breaks" in err and "--accept-violations" in err
    assert main([*args, "--accept-violations"]) == 2
    assert "needs --note" in capsys.readouterr().err
    assert not db.exists()
    assert main([*args, "--accept-violations", "--note", "书记下月到岗"]) == 0
    assert "recorded as accepted, with the note: 书记下月到岗" in capsys.readouterr().err
    con = sqlite3.connect(db)
    note, accepted = con.execute("SELECT note, accepted FROM batches").fetchone()
    con.close()
    assert note == "书记下月到岗" and json.loads(accepted)[0].startswith("T-SEC V1")


def test_ledger_refuses_invalid_plan_dates_far_ahead_or_backwards(pair, tmp_path, capsys):
    data, p, _ = pair
    db = tmp_path / "l.db"
    far = edited(
        p, tmp_path, "far", lambda t: [t[0], t[1].replace("2028-09-01", "2128-09-01"), *t[2:]]
    )
    back = edited(
        p, tmp_path, "back", lambda t: [t[0], t[1].replace("2028-09-01", "2016-09-01"), *t[2:]]
    )
    late = copy_plan(p, tmp_path / "late")
    man = json.loads((late / "manifest.json").read_text("utf-8"))
    (late / "manifest.json").write_text(json.dumps({**man, "plan_date": "2126-09-01"}), "utf-8")
    moved = copy_plan(p, tmp_path / "moved")  # plan date edited, rows not: PLAN-DATES
    (moved / "manifest.json").write_text(json.dumps({**man, "plan_date": "2026-10-01"}), "utf-8")
    for plan, want in (
        (far, "more than two terms after the plan date"),
        (back, "end is before start"),
        (late, "plan date is more than 20 years ahead"),
        (moved, "PLAN-DATES"),
    ):
        code = main(
            [
                "ledger",
                "approve",
                str(plan),
                "--data",
                str(data),
                "--ledger",
                str(db),
                "--accept-violations",
                "--note",
                "x",
            ]
        )
        err = capsys.readouterr().err
        assert code == 2 and want in err, (plan.name, err)
    assert not db.exists()


def test_ledger_refuses_invalid_plan_from_an_interrupted_solve_unless_told(pair, tmp_path, capsys):
    data, p, _ = pair
    plan = copy_plan(p, tmp_path / "int")
    man = json.loads((plan / "manifest.json").read_text("utf-8"))
    (plan / "manifest.json").write_text(json.dumps({**man, "interrupted": True}), "utf-8")
    db = tmp_path / "l.db"
    args = ["ledger", "approve", str(plan), "--data", str(data), "--ledger", str(db)]
    assert main(args) == 2
    assert "interrupted" in capsys.readouterr().err and not db.exists()
    assert main([*args, "--allow-interrupted"]) == 0
    assert "interrupted solve" in capsys.readouterr().err
    con = sqlite3.connect(db)
    assert con.execute("SELECT interrupted FROM batches").fetchone() == (1,)
    con.close()


def test_ledger_refuses_invalid_plan_whose_dataset_changed_or_moved(pair, tmp_path, capsys):
    data, p, _ = pair
    changed = copy_plan(data, tmp_path / "ds2")
    text = (changed / "cadres.csv").read_text("utf-8")
    (changed / "cadres.csv").write_text(text.replace("甲1", "乙1"), "utf-8")
    db = tmp_path / "l.db"
    assert main(["ledger", "approve", str(p), "--data", str(changed), "--ledger", str(db)]) == 2
    err = capsys.readouterr().err
    assert "cadres.csv has changed since the plan was made" in err
    # by default the dataset the manifest names: here a relative path from another folder
    moved = copy_plan(p, tmp_path / "moved")
    man = json.loads((moved / "manifest.json").read_text("utf-8"))
    (moved / "manifest.json").write_text(json.dumps({**man, "dataset": "gone/ds"}), "utf-8")
    assert main(["ledger", "approve", str(moved), "--ledger", str(db)]) == 2
    assert "the dataset the plan was made from is not there" in capsys.readouterr().err
    assert not db.exists()
    assert main(["ledger", "approve", str(p), "--ledger", str(db), "--quiet"]) == 0  # recorded


def test_ledger_refuses_invalid_plan_and_solve_with_the_ledger_still_works(pair, tmp_path):
    """The issue's end state: after refused approvals, every later solve --ledger works."""
    data, p, _ = pair
    db = tmp_path / "l.db"
    L.import_dataset(db, data)
    bad = edited(p, tmp_path, "unk", lambda t: [t[0], t[1].replace(",P", ",X9", 1), *t[2:]])
    with pytest.raises(InputError):
        L.approve_plan(db, bad, data, accept_violations=True, note="x")
    out = tmp_path / "run"
    code = main(
        [
            "solve",
            str(data),
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
    assert code == 0
    assert L.approve_plan(db, out).added == 4  # solved from the ledger, verified against it
    again = tmp_path / "again"  # the same date again: the first plan's teams are incumbents
    code = main(
        [
            "solve",
            str(data),
            "--policy",
            "central-2021",
            "--date",
            "2026-09-01",
            "--out",
            str(again),
            "--ledger",
            str(db),
            "--quiet",
            "--seed",
            "3",
        ]
    )
    assert code == 0


# --------------------------------------------------------------------------- revoke


def test_ledger_revoke_takes_a_batch_back_and_is_recorded(pair, tmp_path, capsys):
    data, p, q = pair
    db = tmp_path / "l.db"
    L.import_dataset(db, data)
    before = postings(db)
    L.approve_plan(db, p, data)
    assert main(["ledger", "revoke", "2", "--ledger", str(db), "--note", "wrong plan"]) == 0
    assert "batch 2 revoked: its 4 posting(s) removed" in capsys.readouterr().err
    assert postings(db) == before
    con = sqlite3.connect(db)
    row = con.execute("SELECT revoked_at, revoke_note FROM batches WHERE batch_id = 2").fetchone()
    con.close()
    assert row[0] and row[1] == "wrong plan"
    assert main(["ledger", "revoke", "2", "--ledger", str(db)]) == 2
    assert "revoked already" in capsys.readouterr().err
    assert main(["ledger", "revoke", "9", "--ledger", str(db)]) == 2
    assert capsys.readouterr().err.strip().endswith("no batch 9 in this ledger")
    assert L.approve_plan(db, q, data).added == 4  # Q no longer overlaps anything
    with pytest.raises(InputError, match="overlaps a posting of the same cadre"):
        L.approve_plan(db, p, data)


def test_ledger_revoke_restores_what_a_repair_ended_or_withdrew(tmp_path):
    from factory import Recall, cadre, dataset, unit, village

    from optimizer.terms.replan import replan, write_repair

    pol = load_policy("central-2021")
    ds = dataset([unit("U1")], [cadre(f"A{i}", "U1") for i in range(3)], [village("V1", "key")])
    write_plan(solve(ds, pol, DAY, time_limit=20).tables, tmp_path / "base")
    db = tmp_path / "l.db"
    L.approve_plan(db, tmp_path / "base", ds)
    approved = postings(db)
    mem = next(r[0] for r in approved if r[2] == "member")
    for i, at in enumerate((DAY.replace(year=2027, month=3), DAY)):  # ended early; withdrawn
        fixed = tmp_path / f"fixed{i}"
        write_repair(replan(ds, tmp_path / "base", pol, [Recall(mem)], at), fixed)
        out = L.approve_plan(db, fixed, ds)
        assert out.closed + out.withdrawn == 1
        with pytest.raises(InputError, match="revoke those first"):
            revoke_batch(db, 1)  # the repair built on the base plan's postings
        undone = revoke_batch(db, out.batch_id)
        assert (undone.added, undone.restored) == (1, 1)
        assert postings(db) == approved


def test_ledger_revoke_keeps_postings_a_later_batch_recorded_too(pair, tmp_path):
    data, p, _ = pair
    nosec = edited(
        p,
        tmp_path,
        "nosec",
        lambda t: [r for r in t if ",secretary," not in r or not r.startswith("V1,")],
    )
    db = tmp_path / "l.db"
    L.approve_plan(db, nosec, data, accept_violations=True, note="secretary next month")
    assert L.approve_plan(db, p, data).added == 1  # the full plan: its secretary
    out = revoke_batch(db, 1, "approved too early")
    assert out.added == 0 and "3 posting(s) stay" in out.notes[0]
    assert len(postings(db)) == 4 and {r[5] for r in postings(db)} == {2}


# --------------------------------------------------------------------------- private file


def test_ledger_db_is_private_whatever_the_umask(pair, tmp_path, monkeypatch):
    data, p, _ = pair
    db = tmp_path / "l.db"
    old = os.umask(0o022)
    try:
        journal_modes: list[int] = []
        real = record.insert_posting

        def look(cur, e, batch_id):
            real(cur, e, batch_id)
            side = [Path(f"{db}{s}") for s in ("-journal", "-wal", "-shm")]
            journal_modes.extend(stat.S_IMODE(f.stat().st_mode) for f in side if f.exists())

        monkeypatch.setattr(record, "insert_posting", look)
        L.approve_plan(db, p, data)
    finally:
        os.umask(old)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert journal_modes and set(journal_modes) == {0o600}  # the rollback journal, mid-write
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # no lasting side files
    con.close()
    assert sorted(f.name for f in tmp_path.iterdir() if f.name.startswith("l.db")) == ["l.db"]


def test_ledger_db_is_private_an_existing_readable_ledger_is_warned_about_once(
    pair, tmp_path, capsys
):
    data, _, _ = pair
    db = tmp_path / "old.db"
    L.import_dataset(db, data)
    db.chmod(0o644)
    ledger_db._warned.clear()
    capsys.readouterr()
    L.export_history(db, DAY, tmp_path / "h.csv")
    L.export_history(db, DAY, tmp_path / "h.csv")
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "can be read by other users (mode 0644)" in err[0]
    assert "chmod 600" in err[0]
    assert stat.S_IMODE(db.stat().st_mode) == 0o644  # the user's file: told, not changed


def test_ledger_db_is_private_an_old_ledger_is_upgraded_in_place(tmp_path):
    """A version-1 ledger (before undo records) opens, upgrades, and its batches can be
    revoked: the postings they added go; ends they set stay, as a note says."""
    db = tmp_path / "v1.db"
    con = sqlite3.connect(db)
    con.executescript(
        ledger_db._TABLES + ";INSERT INTO meta VALUES ('schema', '1');"
        "INSERT INTO batches (kind, source, digest, recorded_at) VALUES "
        "('import', 'x', 'd', '2025-01-01');"
        "INSERT INTO postings (cadre_id, unit_id, village_id, level, role, start, "
        "batch_id) VALUES ('C1', 'U1', 'V1', 'county', 'member', '2025-01-01', 1)"
    )
    con.close()
    out = revoke_batch(db, 1)
    assert out.added == 1 and "older zhucun" in out.notes[0]
    with L.Ledger(db) as lg:
        assert lg.count() == 0
        assert lg.conn.execute("SELECT value FROM meta").fetchone() == (ledger_db.SCHEMA_VERSION,)
