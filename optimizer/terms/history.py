"""Reading the posting ledger: the file opened (a folder or a missing folder refused, the
file kept private), its postings as of a date — as entries, as a dataset's history checked
against the dataset, or as the exported ``history`` table with names and personal columns."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.data import schema as s
from optimizer.data.domain import Dataset, Posting
from optimizer.data.errors import InputError, Problem
from optimizer.data.redact import redact_frame
from optimizer.plans.formulas import write_csv
from optimizer.plans.io import csv_starts_with
from optimizer.plans.io import private_file as private_output
from optimizer.terms.db import DEFAULT_LEDGER, WAIT, busy, connect, private_file, transaction
from optimizer.terms.intake import Entry

HISTORY_COLUMNS = [c.name for c in s.HISTORY.columns]
NAME_COLUMNS = ["cadre_name", "unit_name", "village_name"]
PEOPLE_COLUMNS = ["gender", "birth_date", "phone", "id_number"]


class LedgerFile:
    """An open ledger file, for reading (writes: :class:`optimizer.terms.ledger.Ledger`). Use
    as a context manager; a ledger another command keeps busy longer than ``wait`` seconds
    is one clear refusal."""

    def __init__(self, path: str | Path = DEFAULT_LEDGER, wait: float = WAIT):
        self.path = Path(path)
        self.wait = wait
        if self.path.is_dir():
            raise InputError([Problem(str(self.path), "is a folder: expected a ledger file")])
        if not self.path.parent.is_dir():
            raise InputError([Problem(str(self.path), "its folder does not exist")])
        private_file(self.path)
        self.conn = connect(self.path, wait)

    def __enter__(self) -> LedgerFile:
        return self

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> None:
        self.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
            raise busy(self.path, self.wait) from None

    def close(self) -> None:
        self.conn.close()

    def transaction(self, steps: Callable[[sqlite3.Cursor], Any]) -> Any:
        """Run ``steps`` under the write lock in one transaction: all of it or none of it."""
        return transaction(self.conn, self.path, self.wait, steps)

    # ------------------------------------------------------------------ reading
    def entries(self, cadres: Iterable[str] | None = None) -> list[tuple[int, Entry]]:
        """(posting_id, entry) of every posting, or of the given cadres only."""
        sql = (
            'SELECT posting_id, cadre_id, unit_id, village_id, level, role, start, "end", '
            "cadre_name, unit_name, village_name FROM postings"
        )
        rows: list[tuple] = []
        if cadres is None:
            rows = self.conn.execute(sql).fetchall()
        else:
            ids = sorted(set(cadres))
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                q = f"{sql} WHERE cadre_id IN ({','.join('?' * len(chunk))})"
                rows += self.conn.execute(q, chunk).fetchall()
        return [(r[0], entry_of(r[1:])) for r in rows]

    def batch(self, digest: str) -> tuple[int, str, str, str] | None:
        return self.conn.execute(
            "SELECT batch_id, kind, source, recorded_at FROM batches WHERE digest = ?", (digest,)
        ).fetchone()

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM postings").fetchone()[0]

    def history(self, at: date | None = None) -> list[Entry]:
        """Postings begun by ``at`` (all of them when None), in date, village, role order.
        A posting still running at ``at`` keeps its recorded end: it is an incumbent then."""
        out = [e for _, e in self.entries() if at is None or e.start <= at]
        out.sort(key=lambda e: (e.start, e.village_id, e.role != "secretary", e.cadre_id))
        return out

    def history_of(self, ds: Dataset, at: date, *, before: bool = False) -> list[Posting]:
        """The postings as of ``at`` (begun before it when ``before``) as the dataset's
        history, every id checked against the dataset."""
        found = [e for e in self.history(at) if not (before and e.start >= at)]
        problems = []
        for e in found:
            # a cadre no longer in the cadres table (departed) still counts for unit and village
            for what, value, pool in (
                ("unit", e.unit_id, ds.units),
                ("village", e.village_id, ds.villages),
            ):
                if value not in pool:
                    problems.append(
                        Problem(
                            str(self.path),
                            f"unknown {what}: the ledger's posting "
                            f"{e.describe()} names a {what} the dataset does not have",
                            column=f"{what}_id",
                            value=value,
                        )
                    )
        if problems:
            raise InputError(problems)
        return [e.posting() for e in found]

    def people(self) -> dict[str, dict[str, str]]:
        rows = self.conn.execute(
            "SELECT cadre_id, name, gender, birth_date, phone, id_number FROM people"
        ).fetchall()
        return {
            r[0]: dict(zip(["name", *PEOPLE_COLUMNS], [x or "" for x in r[1:]], strict=True))
            for r in rows
        }

    # ------------------------------------------------------------------ export
    def history_frame(self, at: date | None = None, redact: str | None = None) -> pd.DataFrame:
        """The ``history`` table as of ``at`` with informative extra columns (names; gender,
        birth date, phone and ID number where the ledger knows them), masked or dropped with
        ``redact`` = ``mask`` / ``drop``. The loader ignores the extra columns."""
        people = self.people()
        rows = []
        for e in self.history(at):
            p = people.get(e.cadre_id, {})
            rows.append(
                {
                    "cadre_id": e.cadre_id,
                    "unit_id": e.unit_id,
                    "village_id": e.village_id,
                    "level": e.level,
                    "role": e.role,
                    "start": e.start.isoformat(),
                    "end": e.end.isoformat() if e.end else "",
                    "cadre_name": e.cadre_name or p.get("name", ""),
                    "unit_name": e.unit_name,
                    "village_name": e.village_name,
                    **{k: p.get(k, "") for k in PEOPLE_COLUMNS},
                }
            )
        frame = pd.DataFrame(rows, columns=HISTORY_COLUMNS + NAME_COLUMNS + PEOPLE_COLUMNS)
        empty = [c for c in PEOPLE_COLUMNS if not frame[c].astype(bool).any()]
        frame = frame.drop(columns=empty)
        return redact_frame(frame, redact) if redact else frame

    def export(self, at: date | None, out: str | Path, redact: str | None = None) -> int:
        """Write the history table as of ``at`` to a CSV file (atomically, private, formula-like
        text escaped); returns its rows."""
        out = Path(out)
        if out.suffix.lower() != ".csv":
            raise InputError(
                [
                    Problem(
                        str(out),
                        "expected a .csv file to write the history table to (e.g. history.csv)",
                    )
                ]
            )
        frame = self.history_frame(at, redact)
        # private (names, birth dates): 0600 from creation; replaces only an earlier export
        with private_output(out, ours=csv_starts_with(HISTORY_COLUMNS + NAME_COLUMNS)) as tmp:
            write_csv(frame, tmp)
        return len(frame)


def entry_of(r: tuple) -> Entry:
    """A ``postings`` row (from ``cadre_id`` on) as an entry."""
    cid, uid, vid, level, role, start, end, cname, uname, vname = r
    return Entry(
        cid,
        uid,
        vid,
        level,
        role,
        date.fromisoformat(start),
        date.fromisoformat(end) if end else None,
        cname or "",
        uname or "",
        vname or "",
    )


__all__ = ["HISTORY_COLUMNS", "NAME_COLUMNS", "PEOPLE_COLUMNS", "LedgerFile", "entry_of"]
