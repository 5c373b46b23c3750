"""Anonymised copies: nothing personal survives, ids map consistently, the plan is the same."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import base_tables, write_tables

from optimizer import load_dataset, load_policy, solve
from optimizer.cli import main
from optimizer.data.anonymize import anonymize, write_anonymized
from optimizer.data.errors import InputError

SAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "sample-county"
DAY = date(2026, 9, 1)
COLS = ["village_id", "cadre_id", "unit_id", "role", "status", "start", "end"]


@pytest.fixture
def folder(tmp_path) -> Path:
    t = base_tables()
    t["cadres"][0]["联系电话"] = "13812345678"
    t["cadres"][0]["身份证号"] = "430102198003151234"
    t["villages"][0]["备注"] = "村支书张三的电话 13900000000"
    t["history"] = [
        {"cadre_id": "C3", "unit_id": "U2", "village_id": "V1", "level": "county",
         "role": "secretary", "start": "2024-02-29", "end": "2026-09-01"},
        {"cadre_id": "C4", "unit_id": "U2", "village_id": "V2", "level": "county",
         "role": "member", "start": "2025-09-01", "end": ""},
    ]  # fmt: skip
    t["recall"] = [{"cadre_id": "C4", "reason": "张三家中有事"}]
    t["adjacency"] = [{"village_a": "V1", "village_b": "V2"}]
    return write_tables(tmp_path / "ds", t)


def test_no_original_name_id_code_or_extra_column_survives(folder, tmp_path):
    out = tmp_path / "anon"
    write_anonymized(anonymize(load_dataset(folder), seed=7), out, DAY)
    text = "".join(p.read_text("utf-8") for p in sorted(out.iterdir()))
    for secret in (
        "张三",
        "李四",
        "王五",
        "赵六",
        "红星村",
        "光明村",
        "某县财政局",
        "省农业农村厅",
        "13812345678",
        "430102198003151234",
        "13900000000",
        "430121",
        "430100",
        "甲镇",
        "乙镇",
        "家中有事",
        "联系电话",
        "身份证号",
        "备注",
        "C1,",
        "V1,",
        "U1,",
        "1980-03-15",
    ):
        assert secret not in text, secret
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "adjacency.csv",
        "cadres.csv",
        "history.csv",
        "recall.csv",
        "units.csv",
        "villages.csv",
    ]


def test_mapping_is_consistent_and_dates_move_by_whole_years(folder):
    ds = load_dataset(folder)
    anon = anonymize(ds, seed=7)
    assert anon.shift_years % 4 == 0 and anon.shift_years < 0
    cad = anon.tables["cadres"].set_index("cadre_id")
    c1 = anon.ids["cadres"]["C1"]
    assert cad.loc[c1, "birth_date"] == f"{1980 + anon.shift_years}-03-15"
    assert cad.loc[c1, "unit_id"] == anon.ids["units"]["U1"]
    hist = anon.tables["history"]
    # 29 February stays 29 February (a multiple of 4 years), the open end stays open
    assert hist.start.tolist() == [
        f"{2024 + anon.shift_years}-02-29",
        f"{2025 + anon.shift_years}-09-01",
    ]
    assert hist.end.tolist()[1] == ""
    assert hist.cadre_id.tolist() == [anon.ids["cadres"]["C3"], anon.ids["cadres"]["C4"]]
    vil = anon.tables["villages"].set_index("village_id")
    v1 = anon.ids["villages"]["V1"]
    # county 430121 and city 430100 keep their structure: the city is county[:4] + "00"
    assert vil.loc[v1, "city"] == vil.loc[v1, "county"][:4] + "00"
    assert (
        anon.tables["units"].set_index("unit_id").loc[anon.ids["units"]["U2"], "region"]
        == (vil.loc[v1, "county"])
    )
    assert anon.tables["recall"].to_dict("records") == [
        {"cadre_id": anon.ids["cadres"]["C4"], "reason": ""}
    ]
    again = load_dataset(write_and_return(anon, folder.parent / "again"))
    assert len(again.cadres) == 4 and len(again.history) == 2 and again.adjacency_given


def write_and_return(anon, out: Path) -> Path:
    write_anonymized(anon, out)
    return out


def test_same_seed_same_copy_other_seed_other_names(folder):
    ds = load_dataset(folder)
    a, b, c = anonymize(ds, seed=1), anonymize(ds, seed=1), anonymize(ds, seed=2)
    assert all(a.tables[k].equals(b.tables[k]) for k in a.tables)
    assert a.tables["cadres"].name.tolist() != c.tables["cadres"].name.tolist()


def test_the_copy_solves_to_the_same_plan(folder):
    ds = load_dataset(folder)
    anon = anonymize(ds, seed=3)
    copy = load_dataset(write_and_return(anon, folder.parent / "copy"))
    pol = load_policy("hunan-2021")
    orig, same = solve(ds, pol, DAY, time_limit=20), solve(copy, pol, anon.date(DAY), time_limit=20)
    assert orig.status == same.status and orig.objective == same.objective
    mapped = anon.map_plan(orig.plan[COLS]).reset_index(drop=True)
    assert len(mapped) > 0 and mapped.equals(same.plan[COLS].reset_index(drop=True))


@pytest.mark.slow
def test_the_county_sample_copy_solves_to_the_same_plan(tmp_path):
    ds = load_dataset(SAMPLE)
    anon = anonymize(ds, seed=11)
    copy = load_dataset(write_and_return(anon, tmp_path / "copy"))
    pol = load_policy("hunan-2021")
    orig, same = solve(ds, pol, DAY, time_limit=60), solve(copy, pol, anon.date(DAY), time_limit=60)
    assert orig.status == same.status == "OPTIMAL" and orig.objective == same.objective
    mapped = anon.map_plan(orig.plan[COLS]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mapped, same.plan[COLS].reset_index(drop=True))


def test_bad_shift_and_unsafe_folders_are_refused(folder, tmp_path):
    ds = load_dataset(folder)
    with pytest.raises(InputError, match="negative multiple of 4"):
        anonymize(ds, shift_years=-3)
    anon = anonymize(ds)
    with pytest.raises(InputError, match="already exists"):
        write_anonymized(anon, folder)  # never over the real dataset
    with pytest.raises(InputError, match="keep it outside the folder you share"):
        write_anonymized(anon, tmp_path / "new", key=tmp_path / "new" / "key.csv")
    assert not (tmp_path / "new").exists()


def test_cli_anonymize_names_the_shifted_plan_date(folder, tmp_path, capsys):
    out, key = tmp_path / "anon", tmp_path / "private" / "key.csv"
    code = main(
        [
            "anonymize",
            str(folder),
            "--out",
            str(out),
            "--seed",
            "5",
            "--shift-years",
            "-8",
            "--date",
            "2026-09-01",
            "--key",
            str(key),
        ]
    )
    assert code == 0
    assert "plan date 2026-09-01 becomes 2018-09-01" in capsys.readouterr().err
    assert "--date 2018-09-01" in (out / "README.md").read_text("utf-8")
    rows = pd.read_csv(key, dtype=str, keep_default_na=False)
    assert ("cadres", "C1") in set(zip(rows.table, rows.original, strict=True))
    assert main(["anonymize", str(folder), "--out", str(out)]) == 2


def test_a_bad_shift_names_the_field_and_the_command_line_its_flag(folder, tmp_path, capsys):
    with pytest.raises(InputError) as exc:
        anonymize(load_dataset(folder), shift_years=4)
    assert [p.file for p in exc.value.problems] == ["shift_years"]
    assert main(["anonymize", str(folder), "--out", str(tmp_path / "a"), "--shift-years", "4"]) == 2
    assert capsys.readouterr().err.startswith("--shift-years: value '4': expected a negative")
