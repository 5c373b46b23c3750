"""Bad and hostile input through the command line: `check` and `solve` both exit 2 before any
solving, with a located line (file, row, column, value), never a traceback, never a flood.

Each case edits the small valid dataset of conftest.py (or writes a broken file beside it).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import Tables, base_tables, write_csv, write_tables

from optimizer.cli import main

DATE = "2026-09-01"


def _hist(cid, vid, role="secretary", start="2025-03-01", end="", uid="U1", level="province"):
    return {
        "cadre_id": cid,
        "unit_id": uid,
        "village_id": vid,
        "level": level,
        "role": role,
        "start": start,
        "end": end,
    }


def _pin(cid, vid, kind="require", role=""):
    return {"cadre_id": cid, "village_id": vid, "role": role, "kind": kind}


def _workbook(path: Path, tables: Tables, sheets: dict[str, str] | None = None) -> Path:
    """The tables as an English workbook; ``sheets`` renames (or with '' drops) sheets."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        title = (sheets or {}).get(name, name)
        if not title:
            continue
        ws = wb.create_sheet(title)
        cols = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c, "") for c in cols])
    wb.save(path)
    return path


Edit = Callable[[Tables, Path], Path | None]


def _set(table: str, row: int, **values: str) -> Edit:
    def edit(t: Tables, folder: Path) -> None:
        t[table][row].update(values)

    return edit


def _add(table: str, *rows: dict[str, str]) -> Edit:
    def edit(t: Tables, folder: Path) -> None:
        t.setdefault(table, []).extend(rows)

    return edit


def _both(*edits: Edit) -> Edit:
    def edit(t: Tables, folder: Path) -> Path | None:
        out = None
        for e in edits:
            out = e(t, folder) or out
        return out

    return edit


def _lonlat(t: Tables, folder: Path) -> None:
    for i, r in enumerate([*t["units"], *t["villages"]]):
        r.pop("x"), r.pop("y")
        r["lon"], r["lat"] = f"{112.9 + i / 20:.3f}", "28.2"


def _raw_file(name: str, data: bytes) -> Edit:
    """Write the tables, then replace one file's bytes."""

    def edit(t: Tables, folder: Path) -> Path:
        write_tables(folder, t)
        (folder / name).write_bytes(data)
        return folder

    return edit


def _text_file(name: str, fix: Callable[[str], str]) -> Edit:
    def edit(t: Tables, folder: Path) -> Path:
        write_tables(folder, t)
        path = folder / name
        path.write_text(fix(path.read_text(encoding="utf-8")), encoding="utf-8")
        return folder

    return edit


def _big5(t: Tables, folder: Path) -> Path:
    for r, name in zip(t["cadres"], ("張三豐", "李四", "陳國華", "趙麗穎"), strict=True):
        r["name"] = name
    write_tables(folder, t)
    write_csv(folder, "cadres", t["cadres"], encoding="big5")
    return folder


def _latin1(t: Tables, folder: Path) -> Path:
    for r, name in zip(t["cadres"], ("José Müller", "Zoë", "Ånne", "Çelik"), strict=True):
        r["name"] = name
    write_tables(folder, t)
    write_csv(folder, "cadres", t["cadres"], encoding="latin-1")
    return folder


def _xls(t: Tables, folder: Path) -> Path:
    path = folder / "数据.xls"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    return path


def _xls_renamed(t: Tables, folder: Path) -> Path:
    path = _xls(t, folder)
    return path.rename(path.with_suffix(".xlsx"))


def _one_csv(t: Tables, folder: Path) -> Path:
    return write_tables(folder, t) / "cadres.csv"


def _xlsx_in_folder(t: Tables, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _workbook(folder / "数据.xlsx", t)
    return folder


def _xlsx_named_csv(t: Tables, folder: Path) -> Path:
    write_tables(folder, t)
    _workbook(folder / "book.xlsx", t)
    shutil.move(folder / "book.xlsx", folder / "villages.csv")
    return folder


def _missing_sheet(t: Tables, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return _workbook(folder / "d.xlsx", t, {"villages": "村庄名单"})


def _second_sheet(t: Tables, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = _workbook(folder / "d.xlsx", t)
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb["units"]).title = "单位"
    wb.save(path)
    return path


def _formula(t: Tables, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = _workbook(folder / "d.xlsx", t)
    wb = openpyxl.load_workbook(path)
    wb["units"]["F3"] = "=F2/4"  # staff of the second unit, never calculated
    wb.save(path)
    return path


def _not_a_workbook(t: Tables, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "d.xlsx"
    path.write_text("unit_id,name\nU1,x\n", encoding="utf-8")
    return path


def _folder_as_table(t: Tables, folder: Path) -> Path:
    write_tables(folder, t)
    (folder / "pins.csv").mkdir()
    return folder


def _no_header(t: Tables, folder: Path) -> Path:
    write_tables(folder, t)
    path = folder / "villages.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    return folder


def _numeric_codes(t: Tables, folder: Path) -> None:
    t["units"][0]["unit_id"], t["units"][1]["unit_id"] = "0001", "0002"
    for r in t["cadres"]:
        r["unit_id"] = "1" if r["unit_id"] == "U1" else "2"


CASES: dict[str, tuple[Edit, str]] = {
    # contradictions among the rows (issue item 6)
    "two_current_postings": (
        _add("history", _hist("C1", "V1"), _hist("C1", "V2", "member")),
        "history.csv, row 3, column cadre_id: value 'C1': cadre C1 has two postings current",
    ),
    "secretary_and_member_of_one_team": (
        _add("history", _hist("C1", "V1"), _hist("C1", "V1", "member")),
        "as both secretary and member of village V1",
    ),
    "two_current_secretaries": (
        _add("history", _hist("C1", "V1"), _hist("C2", "V1")),
        "history.csv, row 3, column role: value 'secretary': village V1 has two current first",
    ),
    "two_require_pins_one_cadre": (
        _add("pins", _pin("C1", "V1"), _pin("C1", "V2")),
        "pins.csv, row 3, column cadre_id: value 'C1': cadre C1 is required in villages V1",
    ),
    "require_secretary_and_member": (
        _add("pins", _pin("C1", "V1", role="secretary"), _pin("C1", "V1", role="member")),
        "required as secretary and as member of village V1",
    ),
    "require_and_forbid_one_pair": (
        _add("pins", _pin("C1", "V1"), _pin("C1", "V1", "forbid")),
        "pins.csv, row 2, column kind: value 'require': require pin contradicts the forbid pin "
        "on row 3",
    ),
    "two_required_secretaries": (
        _add("pins", _pin("C1", "V1", role="secretary"), _pin("C2", "V1", role="secretary")),
        "two cadres required as first secretary of village V1",
    ),
    "require_pin_for_recalled": (
        _both(
            _add("history", _hist("C1", "V1")),
            _add("recall", {"cadre_id": "C1"}),
            _add("pins", _pin("C1", "V2")),
        ),
        "require pin for cadre C1, who is in the recall table",
    ),
    "require_pin_moves_incumbent": (
        _both(_add("history", _hist("C1", "V1")), _add("pins", _pin("C1", "V2"))),
        "require pin moves cadre C1, who serves as secretary of village V1 (history row 2)",
    ),
    "forbid_pin_for_incumbent": (
        _both(_add("history", _hist("C1", "V1")), _add("pins", _pin("C1", "V1", "forbid"))),
        "forbid pin for cadre C1, who serves as secretary of village V1",
    ),
    # implausible values (item 7)
    "village_far_away": (
        _set("villages", 0, x="1e12", y="1e12"),
        "villages.csv, row 2, column x: value '1e+12': implausible coordinate",
    ),
    "lonlat_holding_km": (
        _both(_lonlat, _set("villages", 1, lon="14", lat="7")),
        "villages.csv, row 3, column lon/lat: value '14,7': outside China",
    ),
    "village_in_paris": (
        _both(_lonlat, _set("villages", 2, lon="2.35", lat="48.85")),
        "villages.csv, row 4, column lon/lat: value '2.35,48.85': outside China",
    ),
    "lon_lat_swapped": (
        _both(_lonlat, _set("villages", 0, lon="28.2", lat="112.9")),
        "lon and lat look swapped",
    ),
    "lon_not_degrees": (
        _both(_lonlat, _set("units", 0, lon="5000", lat="30")),
        "units.csv, row 2, column lon/lat: value '5000,30': not degrees",
    ),
    "mixed_xy_and_lonlat": (
        _both(_lonlat, _set("villages", 0, x="12", y="6", lon="", lat="")),
        "no common frame",
    ),
    "xy_holding_degrees": (
        lambda t, f: (
            [
                r.update(x=f"{112.9 + i / 50:.3f}", y="28.2")
                for i, r in enumerate([*t["units"], *t["villages"]])
            ]
            and None
        ),
        "units.csv, row 2, column x: value '112.9': x/y look like longitude/latitude degrees",
    ),
    "born_1900_serving": (
        _both(
            _set(
                "cadres",
                0,
                birth_date="1900-03-15",
                work_date="1920-01-01",
                party_date="1925-01-01",
            ),
            _add("history", _hist("C1", "V1")),
        ),
        "cadres.csv, row 2, column birth_date: value '1900-03-15': age 126 at 2026-09-01",
    ),
    "five_digit_birth": (
        _set("cadres", 1, birth_date="19907"),
        "cadres.csv, row 3, column birth_date: value '19907': ambiguous 5-digit number",
    ),
    "staff_a_billion": (
        _set("units", 1, staff="1e9"),
        "units.csv, row 3, column staff: value '1000000000': implausibly large",
    ),
    "relocated_a_billion": (_set("villages", 2, relocated_pop="1000000000"), "implausibly large"),
    "rural_years_500": (
        _set("cadres", 0, rural_years="500"),
        "cadres.csv, row 2, column rural_years: value '500': implausibly large",
    ),
    "work_in_future": (_set("cadres", 3, work_date="2099-01-01"), "work start is in the future"),
    "party_in_future": (_set("cadres", 1, party_date="2999-01-01"), "party date is in the future"),
    "history_from_2030": (
        _add("history", _hist("C1", "V1", start="2030-01-01")),
        "history.csv, row 2, column start: value '2030-01-01': start is after the plan date",
    ),
    "history_end_before_start": (
        _add("history", _hist("C1", "V1", start="2021-05-01", end="2020-01-01")),
        "history.csv, row 2, column end: value '2020-01-01': end is before start",
    ),
    "recall_not_serving": (
        _add("recall", {"cadre_id": "C3", "reason": ""}),
        "recall.csv, row 2, column cadre_id: value 'C3': cadre C3 is not serving at 2026-09-01",
    ),
    "big5_names": (_big5, "cadres.csv: looks Big5-encoded (traditional Chinese)"),
    "latin1_names": (_latin1, "cadres.csv: cannot be read as text"),
    "nan_coordinate": (_set("units", 0, x="nan"), "units.csv, row 2, column x: value 'nan'"),
    "infinite_staff": (_set("units", 0, staff="inf"), "expected a whole number"),
    "negative_staff": (_set("units", 0, staff="-3"), "staff cannot be negative"),
    "x_without_y": (_set("villages", 0, y=""), "x and y must be given together"),
    # floods and codes (item 9)
    "numeric_codes": (_numeric_codes, "codes look numeric: 4 of 4 unknown unit_id value(s)"),
    "scientific_codes": (
        _set("cadres", 0, unit_id="4.30121E+11"),
        "cadres.csv, row 2, column unit_id: value '4.30121E+11': a code in scientific notation",
    ),
    "excel_error_value": (
        _set("cadres", 2, unit_id="#N/A"),
        "cadres.csv, row 4, column unit_id: value '#N/A': an Excel error value",
    ),
    # dead ends (item 9)
    "xls_workbook": (_xls, "数据.xls: is a .xls file, which zhucun does not read"),
    "xls_renamed_xlsx": (_xls_renamed, "is an old .xls workbook renamed to .xlsx"),
    "one_csv_file": (_one_csv, "cadres.csv: is one CSV file: a dataset is a folder"),
    "folder_with_workbook": (_xlsx_in_folder, "pass '数据.xlsx' itself"),
    "workbook_named_csv": (_xlsx_named_csv, "villages.csv: is an Excel workbook saved under"),
    "missing_sheet": (_missing_sheet, "the workbook has sheets: 'units', 'cadres', '村庄名单'"),
    "second_sheet_same_table": (_second_sheet, "is a second sheet for table units"),
    "formula_without_value": (
        _formula,
        "d.xlsx [sheet units], row 3, column staff: value '=F2/4': cell F3 holds a formula "
        "without a saved value",
    ),
    "text_named_xlsx": (_not_a_workbook, "cannot be opened as an Excel .xlsx workbook"),
    "folder_named_csv": (_folder_as_table, "pins.csv: is a folder: expected a CSV file"),
    "no_header_row": (_no_header, "villages.csv, row 1: value 'V1, 红星村, 430121, 甲镇'"),
    "nul_bytes": (_raw_file("villages.csv", b"village_id,name\x00\nV1,x\n"), "NUL bytes"),
    "unquoted_separator": (
        _text_file("cadres.csv", lambda s: s.replace("李四", "李,四")),
        "cadres.csv, row 3: value 'C2,李,四,U1': 12 values but 11 columns in the header row",
    ),
    "empty_file": (_raw_file("villages.csv", b""), "villages.csv: the file is empty"),
    "bom_only": (_raw_file("villages.csv", b"\xef\xbb\xbf"), "villages.csv: the file is empty"),
    "header_only": (
        _text_file("villages.csv", lambda s: s.splitlines()[0] + "\n"),
        "villages.csv: the table has no data rows",
    ),
    "missing_column": (
        _text_file("cadres.csv", lambda s: s.replace("birth_date", "birthday")),
        "cadres.csv, row 1: missing required column birth_date",
    ),
    "column_twice": (
        _text_file("units.csv", lambda s: s.replace("kind", "name", 1)),
        "units.csv, row 1, column name: column given twice",
    ),
    "missing_table": (lambda t, f: t.pop("villages") and None, "missing table villages (村)"),
    "duplicate_id": (_set("villages", 2, village_id="V1"), "duplicate id: already used on row 2"),
    "unknown_unit": (_set("cadres", 1, unit_id="U9"), "cadres.csv, row 3, column unit_id"),
    "unknown_village_in_pin": (_add("pins", _pin("C1", "V9")), "pins.csv, row 2, column village"),
    "bad_enum": (_set("cadres", 2, political_status="党外"), "expected one of member/中共党员"),
    "bad_bool": (_set("cadres", 0, middle_manager="maybe"), "expected yes/no"),
    "bad_date": (_set("cadres", 0, birth_date="1980-15-03"), "expected a date like"),
    "year_alone": (_set("cadres", 0, work_date="2003"), "a year alone"),
    "bad_category": (_set("villages", 0, categories="贫困村"), "unknown categories 贫困村"),
    "no_category": (_set("villages", 0, categories=""), "required value is empty"),
    "self_adjacent": (
        _add("adjacency", {"village_a": "V1", "village_b": "V1"}),
        "a village cannot be adjacent to itself",
    ),
}


def _build(case: str, tmp_path: Path) -> Path:
    edit, _ = CASES[case]
    tables = base_tables()
    folder = tmp_path / "data"
    path = edit(tables, folder)
    if path is None:
        path = write_tables(folder, tables)
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_exit_2_with_a_located_line(case, tmp_path, capsys):
    path = _build(case, tmp_path)
    expected = CASES[case][1]
    out = tmp_path / "plan"
    for argv in (
        ["check", str(path), "--policy", "hunan-2021", "--date", DATE],
        [
            "solve",
            str(path),
            "--policy",
            "hunan-2021",
            "--date",
            DATE,
            "--out",
            str(out),
            "--time-limit",
            "20",
            "--quiet",
        ],
    ):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, f"{argv[0]}: exit {code}\n{err}"
        assert expected in err, f"{argv[0]}: {expected!r} not in\n{err}"
        assert "Traceback" not in err and "internal error" not in err
        lines = [ln for ln in err.splitlines() if not ln.startswith("warning:")]
        assert 1 <= len(lines) <= 25, err
    assert not out.exists()  # refused before any solving: nothing written
