"""The posting ledger (驻村台账): every posting — who, from which unit, where, in which role,
from when to when — in one embedded SQLite file that outlives any one dataset or plan.

Plans live across terms: who served where decides who may go where next (H-NOREPEAT,
H-PROVVILLAGE, H-CONTINUITY). The ledger is where approved plans accumulate, and ``export``
turns it back into the ``history`` table a dataset uses.

Every write is one transaction, validated in full before the first row is written: a bad
row, a refused approval or a crash midway leaves the ledger exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from . import schema as s
from .domain import Dataset, Posting
from .errors import InputError, Problem
from .loading import extra_columns, load_dataset
from .parsing import BadValue, parse_date
from .plan import read_output_csv
from .redact import personal_kind, redact_frame

DEFAULT_LEDGER = "zhucun-ledger.db"
SCHEMA_VERSION = "1"
HISTORY_COLUMNS = [c.name for c in s.HISTORY.columns]
NAME_COLUMNS = ["cadre_name", "unit_name", "village_name"]
PEOPLE_COLUMNS = ["gender", "birth_date", "phone", "id_number"]

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
    batch_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('import', 'approve')),
    source      TEXT NOT NULL,
    digest      TEXT NOT NULL UNIQUE,
    plan_date   TEXT,
    policy      TEXT,
    term_years  INTEGER,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS people (
    cadre_id   TEXT PRIMARY KEY,
    name       TEXT,
    gender     TEXT,
    birth_date TEXT,
    phone      TEXT,
    id_number  TEXT,
    batch_id   INTEGER NOT NULL REFERENCES batches(batch_id)
);
CREATE TABLE IF NOT EXISTS postings (
    posting_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    cadre_id     TEXT NOT NULL,
    cadre_name   TEXT,
    unit_id      TEXT NOT NULL,
    unit_name    TEXT,
    village_id   TEXT NOT NULL,
    village_name TEXT,
    level        TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township')),
    role         TEXT NOT NULL CHECK (role IN ('secretary', 'member')),
    start        TEXT NOT NULL CHECK (start GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    "end"        TEXT CHECK ("end" IS NULL OR "end" >= start),
    batch_id     INTEGER NOT NULL REFERENCES batches(batch_id),
    closed_by    INTEGER REFERENCES batches(batch_id),
    UNIQUE (cadre_id, village_id, role, start)
);
CREATE INDEX IF NOT EXISTS postings_by_cadre ON postings (cadre_id);
"""


@dataclass(frozen=True)
class Entry:
    """One posting as the ledger holds it."""

    cadre_id: str
    unit_id: str
    village_id: str
    level: str
    role: str
    start: date
    end: date | None = None
    cadre_name: str = ""
    unit_name: str = ""
    village_name: str = ""

    @property
    def key(self) -> tuple[str, str, str, date]:
        return (self.cadre_id, self.village_id, self.role, self.start)

    def overlaps(self, other: Entry) -> bool:
        """Same cadre, intervals [start, end) intersect; a handover on the same day does not."""
        if self.cadre_id != other.cadre_id:
            return False
        a_end, b_end = self.end or date.max, other.end or date.max
        return self.start < b_end and other.start < a_end

    def posting(self) -> Posting:
        return Posting(
            self.cadre_id,
            self.unit_id,
            self.village_id,
            self.level,
            self.role,
            self.start,
            self.end,
        )

    def describe(self) -> str:
        end = self.end.isoformat() if self.end else "open"
        name = f" ({self.cadre_name})" if self.cadre_name else ""
        return (
            f"{self.cadre_id}{name} {self.role} at {self.village_id} for {self.unit_id}, "
            f"{self.start}–{end}"
        )


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

    def render(self, lang: str = "en") -> str:
        if lang == "zh":
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
        return "\n".join([text, *(f"note: {n}" for n in self.notes)])


# --------------------------------------------------------------------------- the store


class Ledger:
    """An open ledger file. Use as a context manager; every write method is atomic."""

    def __init__(self, path: str | Path = DEFAULT_LEDGER):
        self.path = Path(path)
        if self.path.is_dir():
            raise InputError([Problem(str(self.path), "is a folder: expected a ledger file")])
        if not self.path.parent.is_dir():
            raise InputError([Problem(str(self.path), "its folder does not exist")])
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys = ON")
            version = self._version()
        except sqlite3.DatabaseError as exc:
            raise InputError(
                [Problem(str(self.path), f"is not a zhucun ledger (SQLite) file: {exc}")]
            ) from None
        if version is None:
            self._transaction(lambda cur: self._create(cur))
        elif version != SCHEMA_VERSION:
            raise InputError(
                [
                    Problem(
                        str(self.path),
                        f"ledger schema version {version}; this zhucun reads "
                        f"version {SCHEMA_VERSION}",
                    )
                ]
            )

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def _version(self) -> str | None:
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master")}
        if "meta" not in tables:
            return None
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        return row[0] if row else None

    @staticmethod
    def _create(cur: sqlite3.Cursor) -> None:
        for stmt in _DDL.split(";"):
            if stmt.strip():
                cur.execute(stmt)
        cur.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def _transaction(self, steps: Callable[[sqlite3.Cursor], Any]) -> Any:
        """Run ``steps`` in one IMMEDIATE transaction: all of it is written or none of it."""
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            result = steps(cur)
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")
        return result

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
        kind: str,
        source: str,
        digest: str,
        meta: dict[str, Any],
        entries: list[tuple[str, int | None, Entry]],
        *,
        close: list[tuple[Entry, date]] = (),  # type: ignore[assignment]
        people: dict[str, dict[str, str]] | None = None,
        term_years: int | None = None,
        term_keys: set[tuple[str, str, str, date]] | None = None,
        file: str,
    ) -> Outcome:
        """Check a whole batch against the ledger, then write it in one transaction.

        ``entries``: (file, row, entry) to record. ``close``: postings to end at a date (a
        repair's removed rows); one that had not begun by then is withdrawn instead."""
        problems: list[Problem] = []
        term_keys = term_keys or set()
        seen = self.batch(digest)
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
        involved = {e.cadre_id for _, _, e in entries} | {e.cadre_id for e, _ in close}
        stored = self.entries(involved)
        by_cadre: dict[str, list[tuple[int, Entry]]] = defaultdict(list)
        for pid, e in stored:
            by_cadre[e.cadre_id].append((pid, e))
        out = Outcome("import" if kind == "import" else "approve", ledger=str(self.path))
        # 1. closings first: a repaired plan ends the old posting, then records the new one
        updates: list[tuple[int, date]] = []
        deletes: list[int] = []
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
                    deletes.append(pid)
                    out.withdrawn += 1
                else:
                    updates.append((pid, when))
                    by_cadre[old.cadre_id].append((pid, replace(e, end=when)))
                    out.closed += 1
        # 2. each new posting: identical → skip; open end now known → set; overlap → refuse
        inserts: list[Entry] = []
        for f, row, e in entries:
            same = next(((pid, x) for pid, x in by_cadre[e.cadre_id] if x.key == e.key), None)
            if same is not None:
                pid, x = same
                if x.end == e.end or e.end is None:
                    out.already += 1
                    continue
                if x.end is None:
                    updates.append((pid, e.end))
                    by_cadre[e.cadre_id].remove(same)
                    by_cadre[e.cadre_id].append((pid, replace(x, end=e.end)))
                    out.terms_set += 1
                    continue
                problems.append(
                    Problem(
                        f,
                        f"conflicts with the ledger: it records {x.describe()}, ending "
                        f"{x.end}, not {e.end}",
                        row,
                        "end",
                        e.end.isoformat(),
                    )
                )
                continue
            clash = [x for _, x in by_cadre[e.cadre_id] if x.overlaps(e)]
            if clash:
                problems.append(
                    Problem(
                        f,
                        f"posting {e.describe()} overlaps a posting of the same cadre "
                        f"already recorded: {clash[0].describe()}",
                        row,
                        "cadre_id",
                        e.cadre_id,
                    )
                )
                continue
            by_cadre[e.cadre_id].append((-1, e))
            inserts.append(e)
            out.terms_set += e.key in term_keys
        if problems:
            refused = Problem(file, f"refused: nothing was written to the ledger {self.path}")
            raise InputError([*problems, refused])

        def write(cur: sqlite3.Cursor) -> int:
            cur.execute(
                "INSERT INTO batches (kind, source, digest, plan_date, policy, term_years, "
                "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    source,
                    digest,
                    meta.get("plan_date"),
                    meta.get("policy"),
                    term_years,
                    datetime.now().isoformat(timespec="seconds"),
                ),
            )
            batch_id = cur.lastrowid
            for pid in deletes:
                cur.execute("DELETE FROM postings WHERE posting_id = ?", (pid,))
            for pid, end in updates:
                cur.execute(
                    'UPDATE postings SET "end" = ?, closed_by = ? WHERE posting_id = ?',
                    (end.isoformat(), batch_id, pid),
                )
            for e in inserts:
                _insert_posting(cur, e, batch_id)
            for cid, p in (people or {}).items():
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
            return batch_id  # type: ignore[return-value]

        out.batch_id = self._transaction(write)
        out.added = len(inserts)
        out.people = len(people or {})
        return out

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
        out = self._record(
            "import", str(source), digest, {}, entries, people=people, file=hist_file
        )
        if not ds.history:
            out.notes.append("the dataset has no history table: only its cadres were recorded")
        return out

    def approve(self, plan_dir: str | Path) -> Outcome:
        """Record an approved plan folder's postings (SPEC §6 ``plan.csv``).

        New postings keep the plan's start and end (plan date + the policy's term). Kept
        incumbents with no end get one from the policy's term length (start + term) when that
        is after the plan date: a term has an end, and the next changeover needs it. A repaired
        plan (``zhucun replan``) also ends the postings its ``changes.csv`` removes."""
        plan = read_plan_for_ledger(Path(plan_dir))
        out = self._record(
            "approve",
            str(plan_dir),
            plan.digest,
            {"plan_date": plan.plan_date.isoformat(), "policy": plan.policy},
            plan.entries,
            close=plan.close,
            term_keys=plan.term_keys,
            term_years=plan.term_years,
            people={e.cadre_id: {"name": e.cadre_name} for _, _, e in plan.entries},
            file="plan.csv",
        )
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
        """Write the history table as of ``at`` to a CSV file (atomically); returns its rows."""
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
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        os.close(fd)
        try:
            frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
            os.chmod(tmp, 0o644)
            os.replace(tmp, out)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return len(frame)


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


# --------------------------------------------------------------------------- plan folders


@dataclass
class PlanRecord:
    """What ``approve`` takes from a plan folder, validated."""

    digest: str
    plan_date: date
    policy: str
    term_years: int
    entries: list[tuple[str, int | None, Entry]]
    close: list[tuple[Entry, date]]
    term_keys: set[tuple[str, str, str, date]] = field(default_factory=set)
    """Kept incumbents whose end this approval takes from the policy's term length."""
    open_left: int = 0


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _date_cell(text: str, file: str, row: int, col: str, problems: list[Problem]) -> date | None:
    try:
        return parse_date(text)
    except BadValue as exc:
        problems.append(Problem(file, str(exc), row, col, text))
        return None


def read_plan_for_ledger(plan_dir: Path) -> PlanRecord:
    """Validate a plan folder for approval; raises :class:`InputError` listing every problem."""
    problems: list[Problem] = []
    if not plan_dir.is_dir():
        raise InputError([Problem(str(plan_dir), "no such plan folder")])
    manifest: dict[str, Any] = {}
    mpath = plan_dir / "manifest.json"
    try:
        manifest = json.loads(mpath.read_text("utf-8"))
    except FileNotFoundError:
        problems.append(Problem("manifest.json", f"missing file: expected {mpath} (SPEC §6)"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem("manifest.json", f"is not valid JSON ({exc})"))
    pol = manifest.get("policy") if isinstance(manifest.get("policy"), dict) else {}
    term = pol.get("term_years") if pol else None
    if manifest and not (isinstance(term, int) and term > 0):
        problems.append(
            Problem(
                "manifest.json",
                "expected the resolved policy with a whole number of term years",
                key="policy.term_years",
                value=str(term),
            )
        )
    plan_date = None
    if manifest:
        try:
            plan_date = parse_date(str(manifest.get("plan_date", "")))
        except BadValue as exc:
            problems.append(
                Problem(
                    "manifest.json", str(exc), key="plan_date", value=str(manifest.get("plan_date"))
                )
            )
    needed = ["village_id", "cadre_id", "unit_id", "level", "role", "status", "start", "end"]
    frame = read_output_csv(plan_dir / "plan.csv", needed, problems)
    entries: list[tuple[str, int | None, Entry]] = []
    open_left = 0
    term_keys: set[tuple[str, str, str, date]] = set()
    if frame is not None:
        for i, r in enumerate(frame.to_dict("records")):
            row = i + 2
            bad = len(problems)
            for col in ("village_id", "cadre_id", "unit_id"):
                if not r[col].strip():
                    problems.append(Problem("plan.csv", "required value is empty", row, col, ""))
            level, role = s.LEVEL.lookup(r["level"]), s.ROLE.lookup(r["role"])
            if level is None:
                problems.append(
                    Problem(
                        "plan.csv",
                        f"expected one of {s.LEVEL.describe()}",
                        row,
                        "level",
                        r["level"],
                    )
                )
            if role is None:
                problems.append(
                    Problem(
                        "plan.csv", f"expected one of {s.ROLE.describe()}", row, "role", r["role"]
                    )
                )
            status = r["status"].strip().lower()
            if status not in ("new", "incumbent"):
                problems.append(
                    Problem(
                        "plan.csv", "expected status new or incumbent", row, "status", r["status"]
                    )
                )
            start = _date_cell(r["start"], "plan.csv", row, "start", problems)
            end = None
            if r["end"].strip():
                end = _date_cell(r["end"], "plan.csv", row, "end", problems)
            elif status == "new":
                problems.append(
                    Problem("plan.csv", "a new posting needs its term end", row, "end", "")
                )
            if start and end and end < start:
                problems.append(
                    Problem("plan.csv", f"end is before start ({start})", row, "end", r["end"])
                )
            if len(problems) > bad or start is None or plan_date is None or not term:
                continue
            if status == "incumbent" and end is None:
                term_end = _add_years(start, term)
                if term_end > plan_date:
                    end = term_end
                    term_keys.add((r["cadre_id"].strip(), r["village_id"].strip(), role, start))
                else:
                    open_left += 1
            e = Entry(
                r["cadre_id"].strip(),
                r["unit_id"].strip(),
                r["village_id"].strip(),
                level,
                role,
                start,
                end,
                r.get("cadre_name", ""),
                r.get("unit_name", ""),
                r.get("village_name", ""),
            )  # type: ignore[arg-type]
            entries.append(("plan.csv", row, e))
    close = _repair_closings(plan_dir, manifest, problems)
    if problems:
        raise InputError(problems)
    digest = "plan:" + _sha((plan_dir / "plan.csv").read_bytes())
    return PlanRecord(
        digest, plan_date, str(pol.get("name", "")), term, entries, close, term_keys, open_left
    )  # type: ignore[arg-type]


def _repair_closings(
    plan_dir: Path, manifest: dict[str, Any], problems: list[Problem]
) -> list[tuple[Entry, date]]:
    """A repaired plan's removed postings (``changes.csv``), to end at the repair date."""
    repair = manifest.get("replan") if isinstance(manifest, dict) else None
    if not repair:
        return []
    try:
        when = parse_date(str(repair.get("repair_date", "")))
    except BadValue as exc:
        problems.append(
            Problem(
                "manifest.json",
                str(exc),
                key="replan.repair_date",
                value=str(repair.get("repair_date")),
            )
        )
        return []
    needed = ["kind", "cadre_id", "unit_id", "old_village_id", "old_role", "old_start"]
    frame = read_output_csv(plan_dir / "changes.csv", needed, problems)
    out: list[tuple[Entry, date]] = []
    for i, r in enumerate([] if frame is None else frame.to_dict("records")):
        if r["kind"] not in ("removed", "moved", "role"):
            continue
        role = s.ROLE.lookup(r["old_role"])
        start = _date_cell(r["old_start"], "changes.csv", i + 2, "old_start", problems)
        if role is None or start is None:
            if role is None:
                problems.append(
                    Problem(
                        "changes.csv",
                        f"expected one of {s.ROLE.describe()}",
                        i + 2,
                        "old_role",
                        r["old_role"],
                    )
                )
            continue
        old = Entry(r["cadre_id"], r["unit_id"], r["old_village_id"], "", role, start)
        out.append((old, when))
    return out


# --------------------------------------------------------------------------- entry points


def import_dataset(ledger: str | Path, source: str | Path) -> Outcome:
    with Ledger(ledger) as lg:
        return lg.import_dataset(source)


def approve_plan(ledger: str | Path, plan_dir: str | Path) -> Outcome:
    with Ledger(ledger) as lg:
        return lg.approve(plan_dir)


def export_history(
    ledger: str | Path, at: date | None, out: str | Path, redact: str | None = None
) -> int:
    _must_exist(ledger)
    with Ledger(ledger) as lg:
        return lg.export(at, out, redact)


def history_for(ds: Dataset, ledger: str | Path, at: date) -> list[Posting]:
    """The ledger's postings as of ``at`` as a dataset's history, every id checked against the
    dataset (``zhucun solve --ledger``)."""
    _must_exist(ledger)
    with Ledger(ledger) as lg:
        found = lg.history(at)
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
                        str(ledger),
                        f"unknown {what}: the ledger's posting "
                        f"{e.describe()} names a {what} the dataset does not have",
                        column=f"{what}_id",
                        value=value,
                    )
                )
    if problems:
        raise InputError(problems)
    return [e.posting() for e in found]


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
