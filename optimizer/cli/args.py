"""Argument types and checks shared by the ``zhucun`` subcommands.

A value argparse rejects exits 2 with ``argument --x: <why>`` before anything is read; the
``--out`` checks run before any dataset is loaded or solved, so a wrong output place costs
nothing and destroys nothing.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from optimizer.data.errors import InputError

SEED_MAX = 2**31 - 1
"""The solver's random seed is a 32-bit signed integer."""


def seconds(text: str) -> float:
    """``--time-limit``: a finite number of seconds > 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected seconds > 0 (e.g. 60), got {text!r}")
    return value


def count(text: str) -> int:
    """``--workers``, ``--jobs``: a whole number ≥ 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1 (e.g. 2), got {text!r}")
    return value


def seed(text: str) -> int:
    """``--seed``: a whole number from 0 to 2³¹−1."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 0 to {SEED_MAX} (e.g. 0), got {text!r}"
        )
    return value


def check_out_folder(out: Path, inputs: Iterable[Path | None] = ()) -> None:
    """Refuse (exit 2) an ``--out`` folder that may not be written, before any work."""
    from optimizer.plans.io import folder_problems

    problems = folder_problems(out, inputs)
    if problems:
        raise InputError([replace(p, file=f"--out {p.file}") for p in problems])


def stderr_progress(text: str) -> None:
    """Progress lines of a solve, on stderr (stdout is the command's answer)."""
    print(text, file=sys.stderr, flush=True)


@contextmanager
def flags_for(**flags: str) -> Iterator[None]:
    """Show the problems the library files under a field (``village``) under the flag that
    gave it (``flags_for(village="--village")``): the library knows no command line."""
    try:
        yield
    except InputError as exc:
        raise InputError(
            [replace(p, file=flags.get(p.file, p.file)) for p in exc.problems]
        ) from None
