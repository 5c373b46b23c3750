"""Typed domain records: what a dataset holds once it has been loaded and validated.

Every value here is already clean (parsed dates, canonical English enum codes), so nothing
downstream re-parses or re-validates. Vocabularies are plain tuples of canonical codes; their
Chinese and English spellings live in :mod:`optimizer.data.schema`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # warnings are problems; the records need nothing else of errors
    from optimizer.data.errors import Problem

LEVELS = ("province", "city", "county", "township")
KINDS = ("organ", "soe", "institution", "central")
POLITICAL = ("member", "probationary", "league", "other", "none")
RANKS = ("clerk", "deputy_section", "section", "deputy_division", "division", "bureau")
EMPLOYMENT = ("staff", "non_staff", "temporary", "worker")
HEALTH = ("ok", "poor")
EVALS = ("excellent", "competent", "basic", "incompetent")
ROLES = ("secretary", "member")
PIN_KINDS = ("require", "forbid")
GENDERS = ("male", "female")
CATEGORIES = ("weak", "key", "relocation", "problem", "exited", "red", "heavy", "demo", "other")
"""Village flags in priority order (SPEC §3, posts and shortfall): weak is served first."""
SKILLS = (
    "agriculture",
    "ecommerce",
    "tourism",
    "law",
    "finance",
    "health",
    "education",
    "engineering",
    "party",
    "governance",
)


def rank_index(rank: str | None) -> int:
    """Position of a rank in the ladder; a missing rank counts as 科员 (SPEC L-RANK)."""
    return RANKS.index(rank) if rank else 0


def completed_years(start: date, at: date) -> int:
    """Whole years from ``start`` to ``at``, the anniversary counting (SPEC §3)."""
    years = at.year - start.year
    if (at.month, at.day) < (start.month, start.day):
        years -= 1
    return years


@dataclass(frozen=True, slots=True)
class Unit:
    unit_id: str
    name: str
    level: str
    region: str | None = None
    kind: str | None = None
    staff: int | None = None
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True, slots=True)
class Cadre:
    cadre_id: str
    name: str
    unit_id: str
    birth_date: date
    political_status: str
    work_date: date
    gender: str | None = None
    party_date: date | None = None
    rank: str | None = None
    middle_manager: bool = False
    employment: str = "staff"
    township_cadre: bool = False
    health: str = "ok"
    eval_recent: str | None = None
    young_pool: bool = False
    rural_years: float = 0.0
    grassroots_years: float = 0.0
    skills: frozenset[str] = frozenset()
    available: bool = True
    x: float | None = None
    y: float | None = None

    def age(self, at: date) -> int:
        return completed_years(self.birth_date, at)


@dataclass(frozen=True, slots=True)
class Village:
    village_id: str
    name: str
    county: str
    categories: frozenset[str]
    township: str | None = None
    city: str | None = None
    relocated_pop: int | None = None
    needs: frozenset[str] = frozenset()
    x: float | None = None
    y: float | None = None
    remote: bool = False


@dataclass(frozen=True, slots=True)
class Posting:
    """One row of the history table: a past or current posting."""

    cadre_id: str
    unit_id: str
    village_id: str
    level: str
    role: str
    start: date
    end: date | None = None

    def current_at(self, at: date) -> bool:
        """In force at ``at``: started, and not ended (one ending on ``at`` has ended)."""
        return self.start <= at and (self.end is None or self.end > at)


@dataclass(frozen=True, slots=True)
class Pin:
    cadre_id: str
    village_id: str
    kind: str
    role: str | None = None
    file: str = field(default="pins", compare=False)
    """Where the pin was read (``pins.csv``, ``book.xlsx [sheet 指定]``), for messages."""
    row: int | None = field(default=None, compare=False)
    """Its row as the spreadsheet shows it (header = row 1)."""


@dataclass(frozen=True, slots=True)
class Recall:
    cadre_id: str
    reason: str = ""


@dataclass(slots=True)
class Dataset:
    """A validated dataset. Tables keep the order of the input rows."""

    units: dict[str, Unit]
    cadres: dict[str, Cadre]
    villages: dict[str, Village]
    adjacency: list[tuple[str, str]] = field(default_factory=list)
    adjacency_given: bool = False
    history: list[Posting] = field(default_factory=list)
    pins: list[Pin] = field(default_factory=list)
    recall: list[Recall] = field(default_factory=list)
    source: str = ""
    file_hashes: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    """Legal but unusual input (one line per kind, with a count); callers print them."""

    def unit_of(self, cadre: Cadre) -> Unit:
        return self.units[cadre.unit_id]
