"""Writing to the posting ledger: a batch (an import or an approval) checked in full against
the ledger under the write lock, then written in the same transaction with an undo record of
every posting it ends or withdraws (:mod:`optimizer.terms.revoke`)."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from optimizer.data.errors import InputError, Problem
from optimizer.terms.history import PEOPLE_COLUMNS, LedgerFile
from optimizer.terms.intake import Entry


@dataclass
class Outcome:
    """What one ledger command did (or, for a refusal, nothing: it raises)."""

    action: str
    batch_id: int | None = None
    added: int = 0
    already: int = 0
    """Postings the ledger held already, identical: skipped."""
    terms_set: int = 0
    """Open-ended postings whose end was set from the policy's term length."""
    closed: int = 0
    """Postings ended early (recall, role change) by an approved repair."""
    withdrawn: int = 0
    """Postings removed before they began (a repair on the plan's own start date)."""
    people: int = 0
    notes: list[str] = field(default_factory=list)
    ledger: str = ""
    restored: int = 0
    """Postings a revoked batch had ended or removed, put back as they were."""

    def render(self, lang: str = "en") -> str:
        if self.action == "revoke":
            text = (
                f"已撤回批次 {self.batch_id}：删除其 {self.added} 条派驻记录，恢复 "
                f"{self.restored} 条被其结束或撤销的记录 → {self.ledger}"
                if lang == "zh"
                else f"batch {self.batch_id} revoked: its {self.added} posting(s) removed, "
                f"{self.restored} posting(s) it had ended or withdrawn restored → {self.ledger}"
            )
        elif lang == "zh":
            head = {"import": "导入", "approve": "批准"}.get(self.action, self.action)
            text = (
                f"{head}完成（批次 {self.batch_id}）：新增 {self.added} 条派驻记录，"
                f"已有 {self.already} 条，按任期补记结束日期 {self.terms_set} 条，"
                f"提前结束 {self.closed} 条，撤销 {self.withdrawn} 条 → {self.ledger}"
            )
        else:
            text = (
                f"{self.action} recorded as batch {self.batch_id}: {self.added} posting(s) "
                f"added, {self.already} already recorded, {self.terms_set} term end(s) set "
                f"from the policy, {self.closed} ended early, {self.withdrawn} withdrawn "
                f"→ {self.ledger}"
            )
        from optimizer.lang.messages import note_line

        return "\n".join([text, *(note_line(n, lang) for n in self.notes)])


@dataclass
class Batch:
    """One write to the ledger as its ``batches`` row records it."""

    kind: str
    source: str
    digest: str
    plan_date: str | None = None
    policy: str | None = None
    term_years: int | None = None
    note: str = ""
    interrupted: bool = False


@dataclass
class Changes:
    """What a batch does to the ledger, decided under the write lock."""

    out: Outcome
    inserts: list[Entry] = field(default_factory=list)
    updates: list[tuple[int, date]] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    also: list[int] = field(default_factory=list)
    """Postings recorded already, identical: this batch vouches for them too."""


def record(
    lg: LedgerFile,
    batch: Batch,
    entries: list[tuple[str, int | None, Entry]],
    *,
    close: list[tuple[Entry, date]] = (),  # type: ignore[assignment]
    people: dict[str, dict[str, str]] | None = None,
    term_keys: set[tuple[str, str, str, date]] | None = None,
    file: str,
    check: Callable[[], list[str]] | None = None,
) -> tuple[Outcome, list[str]]:
    """Check a whole batch against the ledger and write it, in one transaction that
    holds the write lock throughout: nothing read here can change before the write.

    ``entries``: (file, row, entry) to record. ``close``: postings to end at a date (a
    repair's removed rows); one that had not begun by then is withdrawn instead.
    ``check``: more checks under the lock; returns the hard violations accepted."""

    def steps(cur: sqlite3.Cursor) -> tuple[Outcome, list[str]]:
        seen = lg.batch(batch.digest)
        if seen:
            raise InputError(
                [
                    Problem(
                        file,
                        f"already recorded in this ledger as batch {seen[0]} "
                        f"({seen[1]} of {seen[2]} on {seen[3]}): refused, "
                        "nothing written",
                    )
                ]
            )
        accepted = check() if check else []
        ch = _changes(lg, batch.kind, entries, close, term_keys or set(), file)
        ch.out.batch_id = _write(cur, batch, ch, people or {}, accepted)
        ch.out.added = len(ch.inserts)
        ch.out.people = len(people or {})
        return ch.out, accepted

    return lg.transaction(steps)


def _changes(
    lg: LedgerFile,
    kind: str,
    entries: list[tuple[str, int | None, Entry]],
    close: list[tuple[Entry, date]],
    term_keys: set[tuple[str, str, str, date]],
    file: str,
) -> Changes:
    """Closings first (a repaired plan ends the old posting, then records the new one);
    then each new posting: identical → skip; open end now known → set; overlap → refuse."""
    involved = {e.cadre_id for _, _, e in entries} | {e.cadre_id for e, _ in close}
    by_cadre: dict[str, list[tuple[int, Entry]]] = defaultdict(list)
    for pid, e in lg.entries(involved):
        by_cadre[e.cadre_id].append((pid, e))
    ch = Changes(Outcome("import" if kind == "import" else "approve", ledger=str(lg.path)))
    for old, when in close:
        match = [
            (pid, e)
            for pid, e in by_cadre[old.cadre_id]
            if e.village_id == old.village_id
            and e.role == old.role
            and (e.start <= when or e.key == old.key)
            and (e.end is None or e.end > when)
        ]
        for pid, e in match:
            by_cadre[old.cadre_id].remove((pid, e))
            if e.start >= when:
                ch.deletes.append(pid)
                ch.out.withdrawn += 1
            else:
                ch.updates.append((pid, when))
                by_cadre[old.cadre_id].append((pid, replace(e, end=when)))
                ch.out.closed += 1
    problems = [p for f, row, e in entries if (p := _add(ch, by_cadre, f, row, e, term_keys))]
    if problems:
        refused = Problem(file, f"refused: nothing was written to the ledger {lg.path}")
        raise InputError([*problems, refused])
    return ch


def _write(
    cur: sqlite3.Cursor,
    b: Batch,
    ch: Changes,
    people: dict[str, dict[str, str]],
    accepted: list[str],
) -> int:
    """Write a checked batch, with an undo record of every posting it changes."""
    cur.execute(
        "INSERT INTO batches (kind, source, digest, plan_date, policy, term_years, "
        "recorded_at, note, accepted, interrupted, undo_log) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        (
            b.kind,
            b.source,
            b.digest,
            b.plan_date,
            b.policy,
            b.term_years,
            datetime.now().isoformat(timespec="seconds"),
            b.note or None,
            json.dumps(accepted, ensure_ascii=False) if accepted else None,
            int(b.interrupted),
        ),
    )
    batch_id: int = cur.lastrowid  # type: ignore[assignment]
    _undoable(cur, batch_id, ch)
    for e in ch.inserts:
        insert_posting(cur, e, batch_id)
    for cid, p in people.items():
        cur.execute(
            "INSERT INTO people (cadre_id, name, gender, birth_date, phone, id_number, "
            "batch_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(cadre_id) DO UPDATE SET "
            "name = COALESCE(excluded.name, name), "
            "gender = COALESCE(excluded.gender, gender), "
            "birth_date = COALESCE(excluded.birth_date, birth_date), "
            "phone = COALESCE(excluded.phone, phone), "
            "id_number = COALESCE(excluded.id_number, id_number), "
            "batch_id = excluded.batch_id",
            (cid, *(p.get(k) or None for k in ["name", *PEOPLE_COLUMNS]), batch_id),
        )
    return batch_id


def _undoable(cur: sqlite3.Cursor, batch_id: int, ch: Changes) -> None:
    """Withdraw and end postings, keeping in ``undo`` what each was, for ``revoke``."""
    cur.row_factory = sqlite3.Row
    for pid in ch.deletes:
        row = dict(cur.execute("SELECT * FROM postings WHERE posting_id = ?", (pid,)).fetchone())
        cur.execute(
            "INSERT INTO undo (batch_id, kind, posting_id, deleted_row) VALUES (?, 'delete', ?, ?)",
            (batch_id, pid, json.dumps(row, ensure_ascii=False)),
        )
        cur.execute("DELETE FROM postings WHERE posting_id = ?", (pid,))
    for pid, end in ch.updates:
        old = cur.execute(
            'SELECT "end", closed_by FROM postings WHERE posting_id = ?', (pid,)
        ).fetchone()
        cur.execute(
            "INSERT INTO undo (batch_id, kind, posting_id, old_end, old_closed_by) "
            "VALUES (?, 'update', ?, ?, ?)",
            (batch_id, pid, old["end"], old["closed_by"]),
        )
        cur.execute(
            'UPDATE postings SET "end" = ?, closed_by = ? WHERE posting_id = ?',
            (end.isoformat(), batch_id, pid),
        )
    cur.row_factory = None
    cur.executemany(
        "INSERT INTO undo (batch_id, kind, posting_id) VALUES (?, 'also', ?)",
        [(batch_id, pid) for pid in ch.also],
    )


def _add(
    ch: Changes,
    by_cadre: dict[str, list[tuple[int, Entry]]],
    f: str,
    row: int | None,
    e: Entry,
    term_keys: set[tuple[str, str, str, date]],
) -> Problem | None:
    """One new posting: identical → skip; open end now known → set; overlap → a problem."""
    same = next(((pid, x) for pid, x in by_cadre[e.cadre_id] if x.key == e.key), None)
    if same is not None:
        pid, x = same
        if x.end == e.end or e.end is None:
            ch.out.already += 1
            if pid >= 0:
                ch.also.append(pid)
            return None
        if x.end is None:
            ch.updates.append((pid, e.end))
            by_cadre[e.cadre_id].remove(same)
            by_cadre[e.cadre_id].append((pid, replace(x, end=e.end)))
            ch.out.terms_set += 1
            return None
        return Problem(
            f,
            f"conflicts with the ledger: it records {x.describe()}, ending {x.end}, not {e.end}",
            row,
            "end",
            e.end.isoformat(),
        )
    clash = [x for _, x in by_cadre[e.cadre_id] if x.overlaps(e)]
    if clash:
        return Problem(
            f,
            f"posting {e.describe()} overlaps a posting of the same cadre "
            f"already recorded: {clash[0].describe()}",
            row,
            "cadre_id",
            e.cadre_id,
        )
    by_cadre[e.cadre_id].append((-1, e))
    ch.inserts.append(e)
    ch.out.terms_set += e.key in term_keys
    return None


def insert_posting(cur: sqlite3.Cursor, e: Entry, batch_id: int) -> None:
    """One INSERT; a module function so tests can interrupt a batch midway."""
    cur.execute(
        "INSERT INTO postings (cadre_id, cadre_name, unit_id, unit_name, village_id, "
        'village_name, level, role, start, "end", batch_id) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            e.cadre_id,
            e.cadre_name or None,
            e.unit_id,
            e.unit_name or None,
            e.village_id,
            e.village_name or None,
            e.level,
            e.role,
            e.start.isoformat(),
            e.end.isoformat() if e.end else None,
            batch_id,
        ),
    )


__all__ = ["Batch", "Changes", "Outcome", "insert_posting", "record"]
