from datetime import date, datetime

import pytest

from optimizer.data.parsing import (
    BadValue,
    cell_text,
    check_cell,
    parse_bool,
    parse_date,
    parse_set,
)
from optimizer.data.schema import CATEGORY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-05-01", date(2021, 5, 1)),
        ("2021/5/1", date(2021, 5, 1)),
        ("2021.05", date(2021, 5, 1)),
        ("2021-05", date(2021, 5, 1)),
        ("202105", date(2021, 5, 1)),
        ("2021年5月", date(2021, 5, 1)),
        ("2021年5月1日", date(2021, 5, 1)),
        ("2021年12月31日", date(2021, 12, 31)),
        ("2021/12/3", date(2021, 12, 3)),
        ("20211203", date(2021, 12, 3)),
        ("2021-05-01 00:00:00", date(2021, 5, 1)),
    ],
)
def test_every_date_form(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["2021-13-01", "2021/2/30", "May 2021", "21-05-01", "2021年13月", ""]
)
def test_bad_dates_say_what_is_expected(text):
    with pytest.raises(BadValue, match="expected a date like"):
        parse_date(text)


@pytest.mark.parametrize("text", ["19907", "44317"])
def test_implausible_five_digit_dates_are_refused_not_excel_serials(text):
    """'19907' (July 1990 typed short) once became 1954-07-02; a real Excel date cell arrives
    as a date, so a bare 5-digit number is ambiguous and refused with the fix."""
    with pytest.raises(BadValue, match="ambiguous 5-digit number: for July 1990 write 199007"):
        parse_date(text)


def test_implausible_year_alone_asks_for_the_month():
    with pytest.raises(BadValue, match="a year alone"):
        parse_date("1990")


@pytest.mark.parametrize(
    ("text", "kind"), [("#N/A", "id"), ("#REF!", "date"), ("4.30121E+11", "id")]
)
def test_floods_excel_artifacts_are_refused(text, kind):
    with pytest.raises(BadValue):
        check_cell(text, kind)


def test_excel_cells_normalise():
    assert cell_text(datetime(2021, 5, 1, 0, 0)) == "2021-05-01"
    assert cell_text(202105.0) == "202105"
    assert cell_text(float("nan")) == ""
    assert cell_text(" 中共党员 ") == "中共党员"


def test_bools_in_both_languages():
    assert parse_bool("是") and parse_bool("TRUE") and parse_bool("1")
    assert not parse_bool("否") and not parse_bool("false") and not parse_bool("0")
    with pytest.raises(BadValue):
        parse_bool("maybe")


def test_category_sets_accept_chinese_and_separators():
    assert parse_set("脱贫村；党组织软弱涣散村", CATEGORY) == {"exited", "weak"}
    assert parse_set("key;demo", CATEGORY) == {"key", "demo"}
    with pytest.raises(BadValue, match="unknown categories poor"):
        parse_set("key;poor", CATEGORY)
