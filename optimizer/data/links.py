"""The optional tables that point into units, cadres and villages (adjacency, history, pins,
recall), linked into the :class:`~optimizer.data.domain.Dataset`, and the checks of rows
against each other that follow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from optimizer.data import domain as d
from optimizer.data.contradictions import check_history, check_pins, check_pins_at, check_recall
from optimizer.data.rawtable import Collector, RawTable
from optimizer.data.references import References
from optimizer.data.tables import ParsedRows

_Known = Callable[[RawTable, int, dict[str, Any], str, dict, str], bool]
"""(raw, rownum, row, column, pool, what) → whether the id is known; see :func:`_known`."""


def _known(
    refs: References,
    broken: set[str],
    raw: RawTable,
    rownum: int,
    r: dict[str, Any],
    col: str,
    pool: dict,
    what: str,
) -> bool:
    """Whether the row's ``col`` names a record of ``pool``; an unknown id is reported unless
    its own row was already reported where it is defined (``broken``)."""
    if r[col] in pool:
        return True
    if r[col] in broken:
        return False
    refs.unknown(raw, rownum, col, r[col], what)
    return False


def _adjacency(
    ds: d.Dataset, raw: RawTable, rows: ParsedRows, out: Collector, known: _Known
) -> None:
    ds.adjacency_given = True
    seen: set[tuple[str, str]] = set()
    for rownum, r in rows:
        a = known(raw, rownum, r, "village_a", ds.villages, "village")
        b = known(raw, rownum, r, "village_b", ds.villages, "village")
        if not (a and b):
            continue
        if r["village_a"] == r["village_b"]:
            out.add(
                raw,
                "a village cannot be adjacent to itself",
                rownum,
                raw.table.column("village_b"),
                r["village_b"],
            )
            continue
        pair = tuple(sorted((r["village_a"], r["village_b"])))
        if pair not in seen:
            seen.add(pair)  # type: ignore[arg-type]
            ds.adjacency.append(pair)  # type: ignore[arg-type]


def _history(
    ds: d.Dataset,
    raw: RawTable,
    rows: ParsedRows,
    out: Collector,
    broken: set[str],
    known: _Known,
) -> None:
    departed = 0
    for rownum, r in rows:
        # a cadre no longer in the cadres table (retired, transferred) still counts for
        # the unit and the village (H-CONTINUITY, H-PROVVILLAGE): kept, with one note
        departed += r["cadre_id"] not in ds.cadres and r["cadre_id"] not in broken
        ok = r["cadre_id"] not in broken
        ok &= known(raw, rownum, r, "unit_id", ds.units, "unit")
        ok &= known(raw, rownum, r, "village_id", ds.villages, "village")
        if r["end"] is not None and r["end"] < r["start"]:
            out.add(
                raw,
                f"end is before start ({r['start']})",
                rownum,
                raw.table.column("end"),
                str(r["end"]),
            )
            ok = False
        if ok:
            ds.history.append(
                d.Posting(
                    r["cadre_id"],
                    r["unit_id"],
                    r["village_id"],
                    r["level"],
                    r["role"],
                    r["start"],
                    r["end"],
                )
            )
    if departed:
        out.add(
            raw,
            f"{departed} row(s) name cadres not in the cadres table (departed: "
            "retired or transferred); kept for their unit and village (H-CONTINUITY, "
            "H-PROVVILLAGE), and a posting still open is vacant",
            kind="departed",
            warn=True,
        )


def link_tables(
    ds: d.Dataset,
    raws: dict[str, RawTable],
    parsed: dict[str, ParsedRows],
    out: Collector,
    broken: set[str],
    refs: References,
) -> None:
    """Optional tables that point into units, cadres and villages."""
    known: _Known = partial(_known, refs, broken)
    if "adjacency" in parsed:
        _adjacency(ds, raws["adjacency"], parsed["adjacency"], out, known)
    if "history" in parsed:
        _history(ds, raws["history"], parsed["history"], out, broken, known)
    if "pins" in parsed:
        raw = raws["pins"]
        for rownum, r in parsed["pins"]:
            ok = known(raw, rownum, r, "cadre_id", ds.cadres, "cadre")
            ok &= known(raw, rownum, r, "village_id", ds.villages, "village")
            if ok:
                where = raw.file + (f" [sheet {raw.sheet}]" if raw.sheet else "")
                pin = d.Pin(r["cadre_id"], r["village_id"], r["kind"], r["role"], where, rownum)
                ds.pins.append(pin)
    if "recall" in parsed:
        raw = raws["recall"]
        for rownum, r in parsed["recall"]:
            if known(raw, rownum, r, "cadre_id", ds.cadres, "cadre"):
                ds.recall.append(d.Recall(r["cadre_id"], r["reason"] or ""))


def check_rows_together(
    ds: d.Dataset,
    raws: dict[str, RawTable],
    parsed: dict[str, ParsedRows],
    plan_date: date | None,
    out: Collector,
) -> None:
    """Pins against the dataset; with a plan date, also history, pins and recall at it."""
    history = parsed.get("history", [])
    if "pins" in parsed:
        check_pins(raws["pins"], parsed["pins"], ds, out)
    if plan_date is None:
        return
    if "history" in parsed:
        check_history(raws["history"], history, ds, plan_date, out)
    if "pins" in parsed:
        check_pins_at(raws["pins"], parsed["pins"], ds, history, plan_date, out)
    if "recall" in parsed:
        check_recall(raws["recall"], parsed["recall"], ds, history, plan_date, out)
