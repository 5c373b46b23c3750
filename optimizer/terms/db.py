"""The ledger's SQLite file: its schema (and the upgrade from older versions), who may read
it, and waiting for it while another command writes.

The ledger holds names, birth dates, phones and ID numbers, so the file is created readable
by its owner only (0600), whatever the umask; SQLite gives its journal the same mode. Every
write takes the write lock first (``BEGIN IMMEDIATE``) and does its checks inside it: two
approvals started together cannot both pass a check the other one would fail."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from optimizer.data.errors import InputError, Problem

DEFAULT_LEDGER = "zhucun-ledger.db"
"""The ledger file when ``--ledger`` is not given (in the current folder)."""

SCHEMA_VERSION = "2"
WAIT = 30.0
"""Seconds a command waits for a ledger another command is writing, then gives up."""

_TABLES = """
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
CREATE INDEX IF NOT EXISTS postings_by_cadre ON postings (cadre_id)
"""

_VERSION_2 = """
ALTER TABLE batches ADD COLUMN note TEXT;
ALTER TABLE batches ADD COLUMN accepted TEXT;
ALTER TABLE batches ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN undo_log INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN revoked_at TEXT;
ALTER TABLE batches ADD COLUMN revoke_note TEXT;
CREATE TABLE IF NOT EXISTS undo (
    undo_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id      INTEGER NOT NULL REFERENCES batches(batch_id),
    kind          TEXT NOT NULL CHECK (kind IN ('update', 'delete', 'also')),
    posting_id    INTEGER NOT NULL,
    old_end       TEXT,
    old_closed_by INTEGER,
    deleted_row   TEXT
)
"""
"""Version 2: what a batch accepted and why (``note``), and an undo record of every posting
a batch changed or removed (so that ``revoke`` can restore them exactly) or found recorded
already (``also``: revoking the earlier batch keeps it)."""

_warned: set[str] = set()


def busy(path: Path, wait: float) -> InputError:
    return InputError(
        [
            Problem(
                str(path),
                f"the ledger is busy: another command has been writing to it for {wait:g} s; "
                "nothing was written — try again when it has finished",
            )
        ]
    )


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def private_file(path: Path) -> None:
    """Create the ledger file readable by its owner only; warn once about an existing one
    others may read (it is the user's file: say so, do not change it)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    mode = stat.S_IMODE(path.stat().st_mode)
    key = str(path.resolve())
    if mode & 0o077 and key not in _warned:
        _warned.add(key)
        print(
            f"warning: {path} can be read by other users (mode {mode:04o}) and holds personal "
            f"data: restrict it with chmod 600 {path}",
            file=sys.stderr,
        )


def connect(path: Path, wait: float) -> sqlite3.Connection:
    """Open (creating when new, upgrading when older) a ledger file."""
    conn = sqlite3.connect(path, timeout=wait, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if _version(conn) != SCHEMA_VERSION:
            transaction(conn, path, wait, lambda cur: _setup(cur, path))
    except sqlite3.DatabaseError as exc:
        conn.close()
        if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
            raise busy(path, wait) from None
        raise InputError(
            [Problem(str(path), f"is not a zhucun ledger (SQLite) file: {exc}")]
        ) from None
    except InputError:
        conn.close()
        raise
    return conn


def _version(conn: sqlite3.Connection | sqlite3.Cursor) -> str | None:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    if "meta" not in tables:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    return row[0] if row else None


def _setup(cur: sqlite3.Cursor, path: Path) -> None:
    """Create or upgrade, under the write lock: a command that opened the file at the same
    moment may have done it already."""
    version = _version(cur)
    if version is None:
        for stmt in _TABLES.split(";"):
            cur.execute(stmt)
        cur.execute("INSERT INTO meta (key, value) VALUES ('schema', '1')")
        version = "1"
    if version == "1":
        for stmt in _VERSION_2.split(";"):
            cur.execute(stmt)
        cur.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (SCHEMA_VERSION,))
        version = SCHEMA_VERSION
    if version != SCHEMA_VERSION:
        raise InputError(
            [
                Problem(
                    str(path),
                    f"ledger schema version {version}; this zhucun reads versions 1 and "
                    f"{SCHEMA_VERSION}",
                )
            ]
        )


def transaction(
    conn: sqlite3.Connection, path: Path, wait: float, steps: Callable[[sqlite3.Cursor], Any]
) -> Any:
    """Run ``steps`` in one IMMEDIATE transaction: all of it is written or none of it. The
    write lock is taken first (waiting up to ``wait`` seconds), so what ``steps`` reads
    cannot change before it writes."""
    cur = conn.cursor()
    try:
        cur.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise busy(path, wait) from None
        raise
    try:
        result = steps(cur)
        cur.execute("COMMIT")
    except BaseException as exc:
        cur.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
            raise busy(path, wait) from None
        raise
    return result


__all__ = ["SCHEMA_VERSION", "WAIT", "busy", "connect", "private_file", "transaction"]
