"""The posting ledger (驻村台账): every posting — who, from which unit, where, in which role,
from when to when — in one embedded SQLite file that outlives any one dataset or plan.

Plans live across terms: who served where decides who may go where next (H-NOREPEAT,
H-PROVVILLAGE, H-CONTINUITY). The ledger is where approved plans accumulate, and ``export``
turns it back into the ``history`` table a dataset uses.

Every write is one transaction that takes the write lock first and is checked in full inside
it before the first row is written: a bad row, a refused approval, a concurrent approval or a
crash midway leaves the ledger exactly as it was. An approved plan is verified first (SPEC
§3; :mod:`optimizer.ledger_check`), and every batch can be revoked (:mod:`optimizer.
ledger_revoke`): the ledger keeps what each batch changed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.data import schema as s
from optimizer.data.domain import Dataset, Posting
from optimizer.data.errors import InputError, Problem
from optimizer.data.loading import extra_columns, load_dataset
from optimizer.data.redact import personal_kind, redact_frame
from optimizer.ledger_check import Approval, prepare_check
from optimizer.ledger_db import DEFAULT_LEDGER, WAIT, busy, connect, private_file, transaction
from optimizer.ledger_plan import Entry, PlanRecord, read_plan_for_ledger

HISTORY_COLUMNS = [c.name for c in s.HISTORY.columns]
NAME_COLUMNS = ["cadre_name", "unit_name", "village_name"]
PEOPLE_COLUMNS = ["gender", "birth_date", "phone", "id_number"]


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
        from optimizer.messages_zh import note_line

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
class _Changes:
    """What a batch does to the ledger, decided under the write lock."""

    out: Outcome
    inserts: list[Entry] = field(default_factory=list)
    updates: list[tuple[int, date]] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    also: list[int] = field(default_factory=list)
    """Postings recorded already, identical: this batch vouches for them too."""


# --------------------------------------------------------------------------- the store


class Ledger:
    """An open ledger file. Use as a context manager; every write method is atomic, and a
    ledger another command keeps busy longer than ``wait`` seconds is one clear refusal."""

    def __init__(self, path: str | Path = DEFAULT_LEDGER, wait: float = WAIT):
        self.path = Path(path)
        self.wait = wait
        if self.path.is_dir():
            raise InputError([Problem(str(self.path), "is a folder: expected a ledger file")])
        if not self.path.parent.is_dir():
            raise InputError([Problem(str(self.path), "its folder does not exist")])
        private_file(self.path)
        self.conn = connect(self.path, wait)

    def __enter__(self) -> Ledger:
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
        return [(r[0], _entry(r[1:])) for r in rows]

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

    # ------------------------------------------------------------------ writing
    def _record(
        self,
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
            seen = self.batch(batch.digest)
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
            ch = self._changes(batch.kind, entries, close, term_keys or set(), file)
            ch.out.batch_id = self._write(cur, batch, ch, people or {}, accepted)
            ch.out.added = len(ch.inserts)
            ch.out.people = len(people or {})
            return ch.out, accepted

        return self.transaction(steps)

    def _changes(
        self,
        kind: str,
        entries: list[tuple[str, int | None, Entry]],
        close: list[tuple[Entry, date]],
        term_keys: set[tuple[str, str, str, date]],
        file: str,
    ) -> _Changes:
        """Closings first (a repaired plan ends the old posting, then records the new one);
        then each new posting: identical → skip; open end now known → set; overlap → refuse."""
        involved = {e.cadre_id for _, _, e in entries} | {e.cadre_id for e, _ in close}
        by_cadre: dict[str, list[tuple[int, Entry]]] = defaultdict(list)
        for pid, e in self.entries(involved):
            by_cadre[e.cadre_id].append((pid, e))
        ch = _Changes(Outcome("import" if kind == "import" else "approve", ledger=str(self.path)))
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
            refused = Problem(file, f"refused: nothing was written to the ledger {self.path}")
            raise InputError([*problems, refused])
        return ch

    def _write(
        self,
        cur: sqlite3.Cursor,
        b: Batch,
        ch: _Changes,
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
        _change(cur, batch_id, ch)
        for e in ch.inserts:
            _insert_posting(cur, e, batch_id)
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

    def import_dataset(self, source: str | Path | Dataset) -> Outcome:
        """Record a dataset's history table (and who its cadres are: name, gender, birth date,
        and phone / ID-number columns kept beyond the data contract)."""
        ds = source if isinstance(source, Dataset) else load_dataset(source)
        if isinstance(source, Dataset):
            source = ds.source or "dataset"
        key = ds.file_hashes or {"history": [e.describe() for e in map(_named_of(ds), ds.history)]}
        digest = "dataset:" + _sha(json.dumps(sorted(key.items()), ensure_ascii=False))
        hist_file = next(
            (f for f in ds.file_hashes if Path(f).stem in s.table_names(s.HISTORY)),
            "history",
        )
        entries = [(hist_file, None, _named(p, ds)) for p in ds.history]
        people = _people(ds, source)
        batch = Batch("import", str(source), digest)
        out, _ = self._record(batch, entries, people=people, file=hist_file)
        if not ds.history:
            out.notes.append("the dataset has no history table: only its cadres were recorded")
        return out

    def approve(
        self, plan: PlanRecord, approval: Approval, accepted: list[str] | None = None
    ) -> Outcome:
        """Record a checked plan folder's postings (SPEC §6 ``plan.csv``).

        The verifier runs first (``approval``), or has run (``accepted``: the hard violations
        it accepted); a plan solved from this ledger is verified under the write lock against
        the ledger as it is then. New postings keep the plan's start and end (plan date + the
        policy's term). Kept incumbents with no end get one from the policy's term length
        (start + term) when that is after the plan date: a term has an end, and the next
        changeover needs it. A repaired plan (``zhucun replan``) also ends the postings its
        ``changes.csv`` removes."""
        chk = approval.check

        def check() -> list[str]:
            if accepted is not None:
                return accepted
            if not chk.uses_ledger:
                return approval.judge()
            repair = plan.repair_date is not None
            return approval.judge(self.history_of(chk.ds, plan.plan_date, before=repair))

        batch = Batch(
            "approve",
            str(chk.plan_dir),
            plan.digest,
            plan.plan_date.isoformat(),
            plan.policy,
            plan.term_years,
            approval.note,
            plan.interrupted,
        )
        out, taken = self._record(
            batch,
            plan.entries,
            close=plan.close,
            term_keys=plan.term_keys,
            people={e.cadre_id: {"name": e.cadre_name} for _, _, e in plan.entries},
            file=plan.file,
            check=check,
        )
        out.notes += [plan.source, *chk.notes]
        if taken:
            out.notes.append(
                f"{len(taken)} hard violation(s) recorded as accepted, with the note: "
                f"{approval.note.strip()}"
            )
        if plan.interrupted:
            out.notes.append("the plan comes from an interrupted solve: recorded as told")
        if plan.open_left:
            out.notes.append(
                f"{plan.open_left} kept incumbent(s) have served a full term "
                "already and no end date: they stay incumbents until one is "
                "recorded"
            )
        return out

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
        from optimizer.outputs import csv_starts_with, private_file, write_csv

        frame = self.history_frame(at, redact)
        # private (names, birth dates): 0600 from creation; replaces only an earlier export
        with private_file(out, ours=csv_starts_with(HISTORY_COLUMNS + NAME_COLUMNS)) as tmp:
            write_csv(frame, tmp)
        return len(frame)


def _change(cur: sqlite3.Cursor, batch_id: int, ch: _Changes) -> None:
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
    ch: _Changes,
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


def _insert_posting(cur: sqlite3.Cursor, e: Entry, batch_id: int) -> None:
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


def _entry(r: tuple) -> Entry:
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


def _sha(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def _named(p: Posting, ds: Dataset) -> Entry:
    c, u, v = ds.cadres.get(p.cadre_id), ds.units.get(p.unit_id), ds.villages.get(p.village_id)
    return Entry(
        p.cadre_id,
        p.unit_id,
        p.village_id,
        p.level,
        p.role,
        p.start,
        p.end,
        c.name if c else "",
        u.name if u else "",
        v.name if v else "",
    )


def _named_of(ds: Dataset) -> Callable[[Posting], Entry]:
    return lambda p: _named(p, ds)


def _people(ds: Dataset, source: str | Path) -> dict[str, dict[str, str]]:
    """Name, gender and birth date from the cadres table, and phone / ID-number columns a
    planner keeps there beyond the data contract."""
    extra = extra_columns(source, s.CADRES) if Path(source).exists() else {}
    out: dict[str, dict[str, str]] = {}
    for cid, c in ds.cadres.items():
        p = {"name": c.name, "gender": c.gender or "", "birth_date": c.birth_date.isoformat()}
        for header, value in extra.get(cid, {}).items():
            kind = personal_kind(header)
            if kind in ("phone", "id_number") and value:
                p[kind] = value
        out[cid] = p
    return out


# --------------------------------------------------------------------------- entry points


def import_dataset(ledger: str | Path, source: str | Path, wait: float = WAIT) -> Outcome:
    with Ledger(ledger, wait) as lg:
        return lg.import_dataset(source)


def approve_plan(
    ledger: str | Path,
    plan_dir: str | Path,
    dataset: Dataset | str | Path | None = None,
    policy: Any = None,
    *,
    accept_violations: bool = False,
    note: str = "",
    allow_interrupted: bool = False,
    wait: float = WAIT,
    lang: str = "en",
) -> Outcome:
    """Verify a plan folder against the dataset and policy it was made from (by default the
    ones its manifest records), then record it. Hard violations refuse it unless accepted
    with a note (recorded with the batch); structural ones always do; so does a plan from an
    interrupted solve unless ``allow_interrupted``. Nothing is written on a refusal."""
    plan = read_plan_for_ledger(Path(plan_dir), allow_interrupted)
    check = prepare_check(
        Path(plan_dir),
        plan.manifest,
        plan.plan_date,
        plan.term_years,
        dataset,
        policy,
        plan.repaired,
    )
    approval = Approval(check, accept_violations, note, lang)
    accepted = None if check.uses_ledger else approval.judge()
    with Ledger(ledger, wait) as lg:
        return lg.approve(plan, approval, accepted)


def export_history(
    ledger: str | Path,
    at: date | None,
    out: str | Path,
    redact: str | None = None,
    wait: float = WAIT,
) -> int:
    _must_exist(ledger)
    with Ledger(ledger, wait) as lg:
        return lg.export(at, out, redact)


def history_for(ds: Dataset, ledger: str | Path, at: date) -> list[Posting]:
    """The ledger's postings as of ``at`` as a dataset's history, every id checked against the
    dataset (``zhucun solve --ledger``)."""
    _must_exist(ledger)
    with Ledger(ledger) as lg:
        return lg.history_of(ds, at)


def use_ledger(ds: Dataset, ledger: str | Path, at: date) -> None:
    """Replace the dataset's history by the ledger's as of ``at``; the manifest records it."""
    ds.history = history_for(ds, ledger, at)
    text = "\n".join(
        f"{p.cadre_id},{p.unit_id},{p.village_id},{p.level},{p.role},{p.start},{p.end or ''}"
        for p in ds.history
    )
    ds.file_hashes = {
        k: v for k, v in ds.file_hashes.items() if Path(k).stem not in s.table_names(s.HISTORY)
    }
    ds.file_hashes[f"ledger:{Path(ledger).name}@{at}"] = _sha(text)


def _must_exist(ledger: str | Path) -> None:
    if not Path(ledger).is_file():
        raise InputError(
            [
                Problem(
                    str(ledger),
                    "no such ledger file (create one with zhucun ledger import or approve)",
                )
            ]
        )


__all__ = [
    "DEFAULT_LEDGER",
    "Entry",
    "Ledger",
    "Outcome",
    "approve_plan",
    "export_history",
    "history_for",
    "import_dataset",
    "use_ledger",
]
