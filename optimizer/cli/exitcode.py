"""The command's exit codes, in one place (README, "Commands")."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Done: every required post filled, the plan valid, the data clean."""
    VIOLATIONS = 1
    """``verify``: the plan breaks a hard rule."""
    INTERNAL_ERROR = 1
    """A bug, said briefly (``ZHUCUN_DEBUG=1`` for the traceback)."""
    BAD_INPUT = 2
    """Bad input (data, policy, pins, a wrong ``--out``): nothing solved."""
    SHORT = 3
    """A plan is written, with unfilled required posts (each with its reason)."""
    NO_PLAN = 4
    """No plan within the time limit."""
    INTERRUPTED = 130
    """Ctrl-C: the best plan so far is written, marked interrupted."""
