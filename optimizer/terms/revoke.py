"""Taking a batch back out of the ledger (``zhucun ledger revoke BATCH``).

A plan approved by mistake would otherwise stay every later plan's history. Revoking removes
the postings the batch added and restores, from the undo record the batch left, the ones it
ended early or withdrew; the batch row stays, marked revoked with the time and a note, so
the ledger keeps a trace of what happened. A later batch that changed this batch's postings
must be revoked first: undoing in any other order could not restore what was there."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from optimizer.data.errors import InputError, Problem
from optimizer.terms.db import WAIT
from optimizer.terms.ledger import Ledger
from optimizer.terms.record import Outcome

_COLUMNS = (
    "posting_id",
    "cadre_id",
    "cadre_name",
    "unit_id",
    "unit_name",
    "village_id",
    "village_name",
    "level",
    "role",
    "start",
    "end",
    "batch_id",
    "closed_by",
)


def revoke_batch(ledger: str | Path, batch_id: int, note: str = "", wait: float = WAIT) -> Outcome:
    if not Path(ledger).is_file():
        raise InputError([Problem(str(ledger), "no such ledger file")])
    with Ledger(ledger, wait) as lg:
        return revoke(lg, batch_id, note)


def revoke(lg: Ledger, batch_id: int, note: str = "") -> Outcome:
    """Undo one batch in one transaction; raises :class:`InputError` (nothing changed) for
    a batch that does not exist, is revoked already, or that a later batch built on."""
    out = Outcome("revoke", batch_id=batch_id, ledger=str(lg.path))

    def steps(cur: sqlite3.Cursor) -> Outcome:
        _check(cur, lg.path, batch_id)
        kept = cur.execute(
            "UPDATE postings SET batch_id = (SELECT MIN(u.batch_id) FROM undo u JOIN batches b "
            "ON b.batch_id = u.batch_id WHERE u.kind = 'also' AND u.posting_id = postings.posting_id "
            "AND b.revoked_at IS NULL AND u.batch_id != ?) WHERE batch_id = ? AND EXISTS "
            "(SELECT 1 FROM undo u JOIN batches b ON b.batch_id = u.batch_id WHERE u.kind = "
            "'also' AND u.posting_id = postings.posting_id AND b.revoked_at IS NULL "
            "AND u.batch_id != ?)",
            (batch_id, batch_id, batch_id),
        ).rowcount
        if kept:
            out.notes.append(f"{kept} posting(s) stay: a later batch recorded them too")
        out.added = cur.execute("DELETE FROM postings WHERE batch_id = ?", (batch_id,)).rowcount
        undo = cur.execute(
            "SELECT posting_id, old_end, old_closed_by, deleted_row FROM undo "
            "WHERE batch_id = ? AND kind != 'also' ORDER BY undo_id DESC",
            (batch_id,),
        ).fetchall()
        out.restored = _restore(cur, undo)
        _no_overlap(lg, [r[0] for r in undo])
        kind, logged = cur.execute(
            "SELECT kind, undo_log FROM batches WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        if not logged:
            left = cur.execute(
                "UPDATE postings SET closed_by = NULL WHERE closed_by = ?", (batch_id,)
            ).rowcount
            out.notes.append(
                "this batch was recorded by an older zhucun, without an undo record: "
                f"{left} posting(s) it ended keep that end, and term ends it set stay"
            )
        if kind == "import":  # who its cadres are, where nothing else in the ledger needs it
            cur.execute(
                "DELETE FROM people WHERE batch_id = ? AND cadre_id NOT IN "
                "(SELECT cadre_id FROM postings)",
                (batch_id,),
            )
        cur.execute(
            "UPDATE batches SET revoked_at = ?, revoke_note = ?, "
            "digest = 'revoked ' || batch_id || ': ' || digest WHERE batch_id = ?",
            (datetime.now().isoformat(timespec="seconds"), note.strip() or None, batch_id),
        )
        return out

    return lg.transaction(steps)


def _restore(cur: sqlite3.Cursor, undo: list[tuple]) -> int:
    """Put back, newest first, what a batch withdrew (the whole row) or ended (the end)."""
    for pid, old_end, old_closed_by, deleted in undo:
        if deleted:
            row = json.loads(deleted)
            cols = ", ".join(f'"{c}"' for c in _COLUMNS)
            cur.execute(
                f"INSERT INTO postings ({cols}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                [row.get(c) for c in _COLUMNS],
            )
        else:
            cur.execute(
                'UPDATE postings SET "end" = ?, closed_by = ? WHERE posting_id = ?',
                (old_end, old_closed_by, pid),
            )
    return len(undo)


def _no_overlap(lg: Ledger, restored: list[int]) -> None:
    """A restored posting must not overlap one a later batch recorded for the same cadre."""
    ids = set(restored)
    if not ids:
        return
    rows = lg.entries()
    cadres = {e.cadre_id for pid, e in rows if pid in ids}
    mine = [(pid, e) for pid, e in rows if e.cadre_id in cadres]
    for pid, e in mine:
        clash = [x for qid, x in mine if pid in ids and qid != pid and x.overlaps(e)]
        if clash:
            raise InputError(
                [
                    Problem(
                        str(lg.path),
                        f"restoring {e.describe()} would overlap {clash[0].describe()}, "
                        "recorded later: revoke that batch first; nothing was changed",
                    )
                ]
            )


def _check(cur: sqlite3.Cursor, path: Path, batch_id: int) -> None:
    row = cur.execute("SELECT revoked_at FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
    if row is None:
        raise InputError([Problem(str(path), f"no batch {batch_id} in this ledger")])
    if row[0]:
        raise InputError([Problem(str(path), f"batch {batch_id} was revoked already, on {row[0]}")])
    later = [
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT u.batch_id FROM undo u JOIN batches b ON b.batch_id = u.batch_id "
            "WHERE u.batch_id > ? AND b.revoked_at IS NULL AND u.kind != 'also' AND ("
            " u.posting_id IN (SELECT posting_id FROM postings WHERE batch_id = ?)"
            " OR json_extract(u.deleted_row, '$.batch_id') = ?) ORDER BY u.batch_id",
            (batch_id, batch_id, batch_id),
        )
    ]
    if later:
        names = ", ".join(map(str, later))
        raise InputError(
            [
                Problem(
                    str(path),
                    f"batch {batch_id} cannot be revoked while batch(es) {names}, recorded "
                    "later, changed its postings: revoke those first, newest first; nothing "
                    "was changed",
                )
            ]
        )


__all__ = ["revoke", "revoke_batch"]
