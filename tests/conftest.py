"""Shared fixtures: a tiny valid dataset as plain rows, written as CSV or Excel per test."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

Tables = dict[str, list[dict[str, str]]]


def base_tables() -> Tables:
    """Two units, four cadres, three villages: valid under every preset's loader."""
    return {
        "units": [
            {
                "unit_id": "U1",
                "name": "省农业农村厅",
                "level": "province",
                "region": "",
                "kind": "organ",
                "staff": "120",
                "x": "0",
                "y": "0",
            },
            {
                "unit_id": "U2",
                "name": "某县财政局",
                "level": "county",
                "region": "430121",
                "kind": "organ",
                "staff": "30",
                "x": "10",
                "y": "5",
            },
        ],
        "cadres": [
            {
                "cadre_id": "C1",
                "name": "张三",
                "unit_id": "U1",
                "gender": "male",
                "birth_date": "1980-03-15",
                "political_status": "member",
                "party_date": "2005-07-01",
                "work_date": "2003-07-01",
                "rank": "deputy_division",
                "middle_manager": "true",
                "skills": "agriculture;finance",
            },
            {
                "cadre_id": "C2",
                "name": "李四",
                "unit_id": "U1",
                "gender": "female",
                "birth_date": "1990-06-01",
                "political_status": "member",
                "party_date": "2012-06-01",
                "work_date": "2013-07-01",
                "rank": "clerk",
            },
            {
                "cadre_id": "C3",
                "name": "王五",
                "unit_id": "U2",
                "gender": "male",
                "birth_date": "1985-01-20",
                "political_status": "none",
                "party_date": "",
                "work_date": "2008-09-01",
                "rank": "section",
            },
            {
                "cadre_id": "C4",
                "name": "赵六",
                "unit_id": "U2",
                "gender": "female",
                "birth_date": "1995-11-11",
                "political_status": "probationary",
                "party_date": "",
                "work_date": "2018-08-01",
                "rank": "",
            },
        ],
        "villages": [
            {
                "village_id": "V1",
                "name": "红星村",
                "county": "430121",
                "township": "甲镇",
                "city": "430100",
                "categories": "key",
                "needs": "agriculture",
                "x": "12",
                "y": "6",
            },
            {
                "village_id": "V2",
                "name": "光明村",
                "county": "430121",
                "township": "甲镇",
                "city": "430100",
                "categories": "exited;weak",
                "x": "14",
                "y": "7",
            },
            {
                "village_id": "V3",
                "name": "向阳村",
                "county": "430121",
                "township": "乙镇",
                "city": "430100",
                "categories": "relocation",
                "relocated_pop": "650",
                "x": "30",
                "y": "1",
            },
        ],
    }


def write_csv(
    folder: Path,
    name: str,
    rows: list[dict[str, str]],
    encoding: str = "utf-8",
    header: list[str] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    cols = header or list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return path


def write_tables(folder: Path, tables: Tables, encoding: str = "utf-8") -> Path:
    for name, rows in tables.items():
        write_csv(folder, name, rows, encoding)
    return folder


@pytest.fixture
def tables() -> Tables:
    return base_tables()
