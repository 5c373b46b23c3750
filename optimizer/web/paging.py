"""Long tables a page at a time, filtered on the server: a province has 60,000 cadres and
10,000 postings, and no page renders them all. Search words may be names, and names never go
into a URL (URLs are logged): the words stay on the server behind a random token."""

from __future__ import annotations

import math
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

PAGE_ROWS = 200
"""Rows per page of the roster, the cadre list and the short villages."""


@dataclass
class Paged:
    """One page of a longer list: its items and where it sits."""

    items: list[Any]
    page: int
    pages: int
    total: int
    first: int
    """1-based number of the first item shown (0 when there is none)."""
    prev_url: str = ""
    next_url: str = ""

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def paged(
    items: Sequence[Any], page: int, link: Callable[[int], str], size: int = PAGE_ROWS
) -> Paged:
    """Page ``page`` (1-based, clamped) of ``items``; ``link(n)`` is the URL of page n."""
    pages = max(1, math.ceil(len(items) / size))
    page = min(max(1, page), pages)
    start = (page - 1) * size
    shown = list(items[start : start + size])
    return Paged(
        shown,
        page,
        pages,
        len(items),
        start + 1 if shown else 0,
        link(page - 1) if page > 1 else "",
        link(page + 1) if page < pages else "",
    )


def matches(text: str, words: str) -> bool:
    """Every space-separated word of ``words`` is in ``text`` (case-insensitive)."""
    low = text.lower()
    return all(w in low for w in words.lower().split())


class Filters:
    """Search forms' values behind random tokens, the most recent ``keep`` of them."""

    def __init__(self, keep: int = 256):
        self._keep = keep
        self._items: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, values: dict[str, str]) -> str:
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._items[token] = dict(values)
            while len(self._items) > self._keep:
                self._items.popitem(last=False)
        return token

    def get(self, token: str) -> dict[str, str]:
        """The values behind ``token`` (empty for an unknown or expired one)."""
        with self._lock:
            return dict(self._items.get(token, {}))
