"""One pager for every list shown a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a list: `page` counts from 0 and is always a page that exists."""

    items: Sequence[Item]
    page: int
    pages: int
    total: int
    first_number: int
    """The position (from 1) of the page's first item in the whole list."""


def paginate(items: Sequence[Item], *, page: int, per_page: int) -> Page[Item]:
    """The asked page of `items`; a page out of range (an old button) gives the nearest."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 0), pages - 1)
    start = page * per_page
    return Page(items[start : start + per_page], page, pages, len(items), start + 1)
