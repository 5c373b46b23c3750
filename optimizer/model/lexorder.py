"""SPEC §3's order of coverage — all it can in ``weak``, then in ``key``, … — as one
objective: weights that make a sum lexicographic, for as many classes as CP-SAT's integers
hold."""

from __future__ import annotations

from optimizer.data.domain import CATEGORIES


def lex(coverage: dict[str, int]) -> tuple[int, ...]:
    """Coverage as a vector in priority order, to compare lexicographically."""
    return tuple(coverage.get(c, 0) for c in CATEGORIES)


def lex_weights(classes: list[str], required: dict[str, int]) -> dict[str, int]:
    """Weights that make one sum lexicographic in ``classes`` order: a post of a class is
    worth more than every later class's required posts together."""
    weights: dict[str, int] = {}
    below = 0  # the most the later classes can add
    for k in reversed(classes):
        weights[k] = below + 1
        below += weights[k] * required[k]
    return weights


LEX_CAP = 2**48
"""The largest objective one lexicographic coverage search may have (CP-SAT's are int64)."""


def lex_group(classes: list[str], required: dict[str, int]) -> list[str]:
    """The first class and as many after it as one lexicographic objective holds: every
    class in a county; a problem with millions of posts in many classes would overflow."""
    for n in range(len(classes), 1, -1):
        group = classes[:n]
        weights = lex_weights(group, required)
        if sum(weights[j] * required[j] for j in group) < LEX_CAP:
            return group
    return classes[:1]
