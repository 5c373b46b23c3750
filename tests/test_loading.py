"""Dataset loading: encodings, Chinese/English equivalence, and one clear line per problem."""

from __future__ import annotations

import copy
from datetime import date

import openpyxl
import pytest
from conftest import base_tables, write_csv, write_tables

from optimizer.cli import main
from optimizer.data import schema as s
from optimizer.data.errors import InputError
from optimizer.data.loading import load_dataset


def _problems(folder) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_dataset(folder)
    return [str(p) for p in exc.value.problems]


def _comparable(ds):
    return (ds.units, ds.cadres, ds.villages, ds.adjacency, ds.history, ds.pins, ds.recall)


def test_valid_csv_folder_loads_typed(tmp_path, tables):
    ds = load_dataset(write_tables(tmp_path, tables))
    assert list(ds.units) == ["U1", "U2"]
    c1 = ds.cadres["C1"]
    assert c1.birth_date == date(1980, 3, 15)
    assert c1.political_status == "member" and c1.rank == "deputy_division"
    assert c1.skills == {"agriculture", "finance"} and c1.middle_manager
    assert c1.employment == "staff" and c1.available and c1.health == "ok"
    assert ds.villages["V2"].categories == {"exited", "weak"}
    assert ds.villages["V3"].relocated_pop == 650
    assert ds.units["U2"].staff == 30 and ds.units["U1"].region is None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings_load_equal(tmp_path, tables, encoding):
    ref = load_dataset(write_tables(tmp_path / "ref", tables))
    other = load_dataset(write_tables(tmp_path / encoding, tables, encoding=encoding))
    assert _comparable(other) == _comparable(ref)


def _zh_workbook(path, tables, date_cells=False):
    """The same data as a Chinese workbook: sheet names, headers and enum values in Chinese."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        table = s.TABLE_BY_NAME[name]
        ws = wb.create_sheet(table.zh)
        cols = list(dict.fromkeys(k for r in rows for k in r))
        ws.append([table.column(c).zh for c in cols])
        for r in rows:
            out = []
            for c in cols:
                col, v = table.column(c), r.get(c, "")
                if v and col.kind == "enum":
                    v = col.vocab.zh[v]
                elif v and col.kind == "set":
                    v = "；".join(col.vocab.zh[x] for x in v.split(";"))
                elif v and col.kind == "bool":
                    v = "是" if v == "true" else "否"
                elif v and col.kind == "date":
                    y, m, d = (int(x) for x in v.split("-"))
                    v = date(y, m, d) if date_cells else f"{y}年{m}月{d}日"
                elif v and col.kind in ("int", "float"):
                    v = float(v) if col.kind == "float" else int(v)
                out.append(v)
            ws.append(out)
    wb.save(path)
    return path


@pytest.mark.parametrize("date_cells", [False, True], ids=["chinese-dates", "excel-date-cells"])
def test_chinese_workbook_equals_english_csvs(tmp_path, tables, date_cells):
    ref = load_dataset(write_tables(tmp_path / "en", tables))
    zh = load_dataset(_zh_workbook(tmp_path / "数据.xlsx", tables, date_cells))
    assert _comparable(zh) == _comparable(ref)


def test_chinese_csv_file_and_column_names(tmp_path, tables):
    ref = load_dataset(write_tables(tmp_path / "en", tables))
    folder = tmp_path / "zh"
    for name, rows in tables.items():
        table = s.TABLE_BY_NAME[name]
        zh_rows = [{table.column(k).zh: v for k, v in r.items()} for r in rows]
        path = write_csv(folder, name, zh_rows, encoding="gbk")
        path.rename(folder / f"{table.zh}.csv")
    assert _comparable(load_dataset(folder)) == _comparable(ref)


def test_lon_lat_are_projected_to_km(tmp_path, tables):
    for u in tables["units"]:
        u.pop("x"), u.pop("y")
        u["lon"], u["lat"] = "112.9", "28.2"
    tables["units"][1]["lon"] = "113.0"
    for i, v in enumerate(tables["villages"]):
        v.pop("x"), v.pop("y")
        v["lon"], v["lat"] = f"{113.0 + i / 10}", "28.3"
    ds = load_dataset(write_tables(tmp_path, tables))
    dx = ds.units["U2"].x - ds.units["U1"].x
    assert 9.0 < dx < 10.5  # 0.1° of longitude at 28°N ≈ 9.8 km


def test_unknown_extra_columns_are_ignored(tmp_path, tables):
    for r in tables["cadres"]:
        r["备注"] = "note"
    assert len(load_dataset(write_tables(tmp_path, tables)).cadres) == 4


def test_optional_tables_and_references(tmp_path, tables):
    tables["adjacency"] = [{"village_a": "V2", "village_b": "V1"}]
    tables["history"] = [
        {
            "cadre_id": "C1",
            "unit_id": "U1",
            "village_id": "V1",
            "level": "省",
            "role": "第一书记",
            "start": "2021年5月",
            "end": "",
        }
    ]
    tables["pins"] = [{"cadre_id": "C2", "village_id": "V2", "role": "member", "kind": "forbid"}]
    tables["recall"] = [{"cadre_id": "C1", "reason": "身体原因"}]
    ds = load_dataset(write_tables(tmp_path, tables))
    assert ds.adjacency == [("V1", "V2")] and ds.adjacency_given
    assert ds.history[0].start == date(2021, 5, 1) and ds.history[0].end is None
    assert ds.history[0].role == "secretary" and ds.history[0].level == "province"
    assert ds.pins[0].kind == "forbid" and ds.recall[0].reason == "身体原因"


# ----------------------------------------------------------------- bad input, one line each


def test_missing_required_column(tmp_path, tables):
    for r in tables["cadres"]:
        del r["birth_date"]
    assert _problems(write_tables(tmp_path, tables)) == [
        "cadres.csv, row 1: missing required column birth_date (出生年月)"
    ]


def test_duplicate_id(tmp_path, tables):
    tables["villages"][2]["village_id"] = "V1"
    assert _problems(write_tables(tmp_path, tables)) == [
        "villages.csv, row 4, column village_id: value 'V1': duplicate id: already used on row 2"
    ]


def test_unknown_unit(tmp_path, tables):
    tables["cadres"][1]["unit_id"] = "U9"
    assert _problems(write_tables(tmp_path, tables)) == [
        "cadres.csv, row 3, column unit_id: value 'U9': unknown unit: expected a unit_id of the units table"
    ]


def test_bad_date(tmp_path, tables):
    tables["cadres"][0]["birth_date"] = "1980-15-03"
    (line,) = _problems(write_tables(tmp_path, tables))
    assert line.startswith(
        "cadres.csv, row 2, column birth_date: value '1980-15-03': expected a date like"
    )


def test_unknown_category(tmp_path, tables):
    tables["villages"][0]["categories"] = "key;贫困村"
    (line,) = _problems(write_tables(tmp_path, tables))
    assert line.startswith(
        "villages.csv, row 2, column categories: value 'key;贫困村': unknown categories 贫困村"
    )


def test_non_numeric_staff(tmp_path, tables):
    tables["units"][1]["staff"] = "about 30"
    assert _problems(write_tables(tmp_path, tables)) == [
        "units.csv, row 3, column staff: value 'about 30': expected a whole number"
    ]


def test_empty_file(tmp_path, tables):
    folder = write_tables(tmp_path, tables)
    (folder / "villages.csv").write_bytes(b"")
    (line,) = _problems(folder)
    assert line.startswith("villages.csv: the file is empty: expected a header row with village_id")


def test_header_only_required_table(tmp_path, tables):
    folder = write_tables(tmp_path, tables)
    write_csv(folder, "villages", [], header=list(tables["villages"][0]))
    assert _problems(folder) == ["villages.csv: the table has no data rows"]


def test_missing_table(tmp_path, tables):
    del tables["villages"]
    (line,) = _problems(write_tables(tmp_path, tables))
    assert "missing table villages (村): expected a file villages.csv or 村.csv" in line


def test_impossible_values(tmp_path, tables):
    tables["units"][0]["staff"] = "-3"
    tables["cadres"][0]["work_date"] = "1990-01-01"  # born 1980: work at 9
    tables["cadres"][1]["party_date"] = "2999-01-01"
    lines = _problems(write_tables(tmp_path, tables))
    assert lines == [
        "units.csv, row 2, column staff: value '-3': staff cannot be negative",
        "cadres.csv, row 2, column work_date: value '1990-01-01': work start is before the age of 16 (born 1980-03-15)",
        f"cadres.csv, row 3, column party_date: value '2999-01-01': party date is in the future (today is {date.today()})",
    ]


def test_bad_vocabulary_names_the_choices(tmp_path, tables):
    tables["cadres"][2]["political_status"] = "党外"
    (line,) = _problems(write_tables(tmp_path, tables))
    assert (
        "cadres.csv, row 4, column political_status: value '党外': expected one of member/中共党员"
        in line
    )


def test_reference_errors_in_optional_tables(tmp_path, tables):
    tables["adjacency"] = [{"village_a": "V1", "village_b": "V7"}]
    tables["history"] = [
        {
            "cadre_id": "C9",
            "unit_id": "U1",
            "village_id": "V1",
            "level": "province",
            "role": "member",
            "start": "2021-05-01",
            "end": "2020-01-01",
        }
    ]
    tables["pins"] = [{"cadre_id": "C1", "village_id": "V5", "kind": "require"}]
    tables["recall"] = [{"cadre_id": "X", "reason": ""}]
    assert _problems(write_tables(tmp_path, tables)) == [
        "adjacency.csv, row 2, column village_b: value 'V7': unknown village: expected a village_b of the villages table",
        # a departed cadre (C9) is accepted in history (issue 15 item 5); the bad end is not
        "history.csv, row 2, column end: value '2020-01-01': end is before start (2021-05-01)",
        "pins.csv, row 2, column village_id: value 'V5': unknown village: expected a village_id of the villages table",
        "recall.csv, row 2, column cadre_id: value 'X': unknown cadre: expected a cadre_id of the cadres table",
    ]


def test_all_problems_reported_at_once(tmp_path, tables):
    tables["units"][1]["staff"] = "x"
    tables["cadres"][0]["birth_date"] = "bad"
    tables["villages"][0]["categories"] = "nope"
    assert len(_problems(write_tables(tmp_path, tables))) == 3


def test_workbook_rows_are_spreadsheet_rows(tmp_path, tables):
    bad = copy.deepcopy(tables)
    bad["cadres"][3]["work_date"] = "someday"
    path = _zh_workbook(tmp_path / "d.xlsx", base_tables())
    wb = openpyxl.load_workbook(path)
    wb["干部"]["H5"] = "someday"  # row 5 = the fourth cadre; column H = 参加工作时间
    wb.save(path)
    (line,) = _problems(path)
    assert line.startswith("d.xlsx [sheet 干部], row 5, column 参加工作时间: value 'someday'")


def test_unreadable_workbook_is_one_line(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    (line,) = _problems(path)
    assert line.startswith("empty.xlsx: cannot be opened as an Excel .xlsx workbook")


def test_not_a_dataset(tmp_path):
    (line,) = _problems(tmp_path / "nothing")
    assert "no such dataset" in line


def test_cli_bad_input_exit_2_no_traceback(tmp_path, tables, capsys):
    tables["cadres"][1]["unit_id"] = "U9"
    folder = write_tables(tmp_path, tables)
    code = main(["check", str(folder), "--policy", "hunan-2021"])
    err = capsys.readouterr().err
    assert code == 2
    assert "cadres.csv, row 3, column unit_id: value 'U9'" in err
    assert "Traceback" not in err


# ----------------------------------------------------------------- issue 14: floods, dead ends


def _many_cadres(tables, n):
    proto = tables["cadres"][0]
    tables["cadres"] = [{**proto, "cadre_id": f"C{i}"} for i in range(1, n + 1)]
    return tables


def test_floods_numeric_codes_say_the_cause_once_and_cap_the_repeats(tmp_path, tables):
    """A unit-code column stored as numbers: one cause line, 20 lines, one count; and the
    history rows of those cadres do not echo it as 'unknown cadre'."""
    tables["units"][0]["unit_id"] = "000123"
    _many_cadres(tables, 1080)
    for r in tables["cadres"]:
        r["unit_id"] = "123"
    tables["history"] = [
        {
            "cadre_id": f"C{i}",
            "unit_id": "U2",
            "village_id": "V1",
            "level": "county",
            "role": "member",
            "start": "2019-01-01",
            "end": "2021-01-01",
        }
        for i in range(1, 431)
    ]
    lines = _problems(write_tables(tmp_path, tables))
    assert lines[0].startswith("cadres.csv, column unit_id: codes look numeric: 1080 of 1080")
    assert "leading zeros lost? format the column as text" in lines[0]
    assert len(lines) == 22
    assert lines[-1].startswith("cadres.csv, column unit_id: … and 1060 more like this")
    assert not any("unknown cadre" in ln for ln in lines)


def test_floods_parse_errors_capped_per_column(tmp_path, tables):
    _many_cadres(tables, 300)
    for r in tables["cadres"]:
        r["birth_date"], r["rank"] = "someday", "boss"
    lines = _problems(write_tables(tmp_path, tables))
    assert len(lines) == 2 * 21
    summaries = [ln for ln in lines if "… and 280 more like this (rows 22–301)" in ln]
    assert [ln.split(":")[0] for ln in summaries] == [
        "cadres.csv, column birth_date",
        "cadres.csv, column rank",
    ]


def test_floods_follow_on_errors_suppressed(tmp_path, tables):
    tables["cadres"][0]["unit_id"] = "U9"
    tables["pins"] = [{"cadre_id": "C1", "village_id": "V1", "kind": "require"}]
    tables["recall"] = [{"cadre_id": "C1", "reason": ""}]
    assert _problems(write_tables(tmp_path, tables)) == [
        "cadres.csv, row 2, column unit_id: value 'U9': unknown unit: expected a unit_id of the "
        "units table"
    ]


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [(";", "utf-8"), ("\t", "utf-16"), ("\t", "utf-16-le"), ("\t", "utf-8-sig"), ("，", "gbk")],
)
def test_dead_ends_other_separators_and_utf16_are_read(tmp_path, tables, sep, encoding):
    ref = load_dataset(write_tables(tmp_path / "ref", tables))
    folder = tmp_path / "other"
    folder.mkdir()
    for name, rows in tables.items():
        cols = list(dict.fromkeys(k for r in rows for k in r))
        lines = [sep.join(cols)] + [
            sep.join(f'"{r.get(c, "")}"' if sep in r.get(c, "") else r.get(c, "") for c in cols)
            for r in rows
        ]
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding=encoding)
    ds = load_dataset(folder)
    assert _comparable(ds) == _comparable(ref)
    if sep != ",":
        assert any("-separated" in str(w) for w in ds.warnings)


def test_dead_ends_title_row_above_the_header_csv(tmp_path, tables):
    tables["cadres"][2]["work_date"] = "someday"
    folder = write_tables(tmp_path, tables)
    path = folder / "cadres.csv"
    path.write_text("某县干部名单,,,\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    (line,) = _problems(folder)
    assert line.startswith("cadres.csv, row 5, column work_date: value 'someday'")
    tables["cadres"][2]["work_date"] = "2008-09-01"
    write_csv(folder, "cadres", tables["cadres"])
    path.write_text("某县干部名单\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    ds = load_dataset(folder)
    assert len(ds.cadres) == 4
    assert any("header read from row 3" in str(w) for w in ds.warnings)


def test_dead_ends_title_row_above_the_header_xlsx(tmp_path, tables):
    path = _zh_workbook(tmp_path / "d.xlsx", tables)
    wb = openpyxl.load_workbook(path)
    ws = wb["干部"]
    ws.insert_rows(1)
    ws["A1"] = "2026年驻村干部名单"
    ws.merge_cells("A1:H1")
    ws["H6"] = "someday"  # the fourth cadre's 参加工作时间, one row lower now
    wb.save(path)
    (line,) = _problems(path)
    assert line.startswith("d.xlsx [sheet 干部], row 6, column 参加工作时间: value 'someday'")


def test_implausible_unusual_values_warn_with_a_count(tmp_path, tables, capsys):
    tables["cadres"][0]["birth_date"] = "1958-03-15"  # 68 at the plan date: unusual, legal
    tables["cadres"][1]["birth_date"] = "1956-06-01"
    tables["units"][0]["staff"] = "80000"
    folder = write_tables(tmp_path, tables)
    ds = load_dataset(folder, plan_date=date(2026, 9, 1))
    shown = [str(w) for w in ds.warnings]
    assert any(w.startswith("cadres.csv: 2 row(s) aged under 18 or over 65") for w in shown)
    assert any("rows 2, 3" in w for w in shown)
    assert any(w.startswith("units.csv: 1 row(s) with staff above 50,000") for w in shown)
    assert main(["check", str(folder), "--policy", "hunan-2021", "--date", "2026-09-01"]) == 0
    assert "warning: cadres.csv: 2 row(s) aged under 18 or over 65" in capsys.readouterr().err


def test_contradictions_need_the_plan_date_only_for_date_bound_rows(tmp_path, tables):
    """Two require pins contradict at any date; two current postings only at a date."""
    hist = {"unit_id": "U1", "level": "province", "role": "member", "start": "2025-01-01"}
    tables["history"] = [
        {**hist, "cadre_id": "C1", "village_id": "V1", "end": "2026-01-01"},
        {**hist, "cadre_id": "C1", "village_id": "V2", "end": ""},
    ]
    folder = write_tables(tmp_path, tables)
    assert len(load_dataset(folder).history) == 2  # no plan date: not checked
    assert len(load_dataset(folder, plan_date=date(2026, 9, 1)).history) == 2  # one ended
    with pytest.raises(InputError, match="two postings current at 2025-09-01"):
        load_dataset(folder, plan_date=date(2025, 9, 1))
    tables["pins"] = [
        {"cadre_id": "C2", "village_id": v, "kind": "require", "role": ""} for v in ("V1", "V2")
    ]
    with pytest.raises(InputError, match="P-PIN"):
        load_dataset(write_tables(tmp_path / "pins", tables))


def test_contradictions_compatible_pins_pass(tmp_path, tables):
    """Forbidding one role and requiring the other, or a village's secretary and member."""
    tables["pins"] = [
        {"cadre_id": "C1", "village_id": "V1", "kind": "forbid", "role": "secretary"},
        {"cadre_id": "C1", "village_id": "V1", "kind": "require", "role": ""},
        {"cadre_id": "C2", "village_id": "V2", "kind": "require", "role": "secretary"},
        {"cadre_id": "C3", "village_id": "V2", "kind": "require", "role": "member"},
    ]
    ds = load_dataset(write_tables(tmp_path, tables), plan_date=date(2026, 9, 1))
    assert len(ds.pins) == 4


def test_dead_ends_second_header_row_is_skipped(tmp_path, tables):
    folder = write_tables(tmp_path, tables)
    path = folder / "units.csv"
    head, *rest = path.read_text(encoding="utf-8").splitlines()
    zh = ",".join(s.UNITS.column(c).zh for c in head.split(","))
    path.write_text("\n".join([head, zh, *rest]) + "\n", encoding="utf-8")
    ds = load_dataset(folder)
    assert list(ds.units) == ["U1", "U2"]
    assert any("row 2 repeats the column names" in str(w) for w in ds.warnings)


def test_dead_ends_rows_are_spreadsheet_rows_with_blank_lines(tmp_path, tables):
    tables["cadres"][3]["work_date"] = "someday"
    folder = write_tables(tmp_path, tables)
    path = folder / "cadres.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines[:2], "", ",,,", *lines[2:]]) + "\n", encoding="utf-8")
    (line,) = _problems(folder)
    assert line.startswith("cadres.csv, row 7, column work_date: value 'someday'")


def test_floods_invisible_characters_do_not_break_ids(tmp_path, tables):
    tables["cadres"][0]["unit_id"] = "U1\u200b"
    tables["cadres"][1]["cadre_id"] = "\ufeffC2"
    ds = load_dataset(write_tables(tmp_path, tables))
    assert ds.cadres["C1"].unit_id == "U1" and "C2" in ds.cadres


def test_dead_ends_chinese_commas_in_a_value_do_not_change_the_separator(tmp_path, tables):
    tables["history"] = [
        {"cadre_id": "C1", "unit_id": "U1", "village_id": "V1", "level": "province",
         "role": "secretary", "start": "2025-03-01", "end": ""}
    ]  # fmt: skip
    tables["recall"] = [{"cadre_id": "C1", "reason": "健康原因，需要休养，家中有事"}]
    ds = load_dataset(write_tables(tmp_path, tables), plan_date=date(2026, 9, 1))
    assert ds.recall[0].reason == "健康原因，需要休养，家中有事" and not ds.warnings


def test_floods_every_column_wrong_stays_short(tmp_path, tables):
    _many_cadres(tables, 500)
    for r in tables["cadres"]:
        r.update(
            birth_date="x",
            work_date="x",
            party_date="x",
            rank="x",
            political_status="x",
            middle_manager="x",
            gender="x",
            rural_years="x",
            employment="x",
            health="x",
            eval_recent="x",
            young_pool="x",
            available="x",
        )
    for r in tables["cadres"][:250]:
        r["skills"] = "x"
    lines = _problems(write_tables(tmp_path, tables))
    assert len(lines) == 201 and lines[-1].endswith("more problem line(s): fix these first")
