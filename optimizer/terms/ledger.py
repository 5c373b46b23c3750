"""The posting ledger (驻村台账): every posting — who, from which unit, where, in which role,
from when to when — in one embedded SQLite file that outlives any one dataset or plan.

Plans live across terms: who served where decides who may go where next (H-NOREPEAT,
H-PROVVILLAGE, H-CONTINUITY). The ledger is where approved plans accumulate, and ``export``
turns it back into the ``history`` table a dataset uses.

Every write is one transaction that takes the write lock first and is checked in full inside
it before the first row is written: a bad row, a refused approval, a concurrent approval or a
crash midway leaves the ledger exactly as it was (:mod:`optimizer.terms.record`). An approved
plan is verified first (SPEC §3; :mod:`optimizer.terms.check`), and every batch can be revoked
(:mod:`optimizer.terms.revoke`): the ledger keeps what each batch changed. Reading and export:
:mod:`optimizer.terms.history`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data import schema as s
from optimizer.data.domain import Dataset, Posting
from optimizer.data.errors import InputError, Problem
from optimizer.data.loading import extra_columns, load_dataset
from optimizer.data.redact import personal_kind
from optimizer.terms.check import Approval, prepare_check
from optimizer.terms.db import DEFAULT_LEDGER, WAIT
from optimizer.terms.history import LedgerFile
from optimizer.terms.intake import Entry, PlanRecord, read_plan_for_ledger
from optimizer.terms.record import Batch, Outcome, record


class Ledger(LedgerFile):
    """An open ledger file, read (:class:`LedgerFile`) and written: every write method is
    atomic (:func:`optimizer.terms.record.record`)."""

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
        out, _ = record(self, batch, entries, people=people, file=hist_file)
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
        out, taken = record(
            self,
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
