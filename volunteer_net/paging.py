"""A paginator for lists that grow without bound (the message log: a million rows nationally).

Counting every row of such a list costs more than showing a page of it (COUNT(*) over a million
rows is ~50 ms; the page itself, read along an index, is under one). Nobody pages through ten
thousand messages: past `cap` rows the page says "more than N" and offers the filters, and the
count stops at the cap (a COUNT over a LIMIT, read along the same index as the page).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` (a multiple of the page size reads best): beyond
    it, `capped` is true, `count` is the cap and the pages end at the cap."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, cap: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.queryset = object_list
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        # One row past the cap tells "more" from "exactly the cap".
        return self.queryset.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self._counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)
