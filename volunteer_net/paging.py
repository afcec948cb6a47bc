"""Paginators for long lists read from PostgreSQL.

CappedPaginator is for lists that grow without bound (the message log: a million rows
nationally). Counting every row of such a list costs more than showing a page of it (COUNT(*)
over a million rows is ~50 ms; the page itself, read along an index, is under one). Nobody pages
through ten thousand messages: past `cap` rows the page says "more than N" and offers the
filters, and the count stops at the cap (a COUNT over a LIMIT, read along the same index as the
page).

SortedRowsPaginator is for lists whose total people rely on (the roster): the count stays exact,
and the page's wide rows are read only once the sort has picked them.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.utils.functional import cached_property

from .forms import MAX_BIGINT


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


class SortedRowsPaginator(Paginator):
    """A Paginator for a list sorted in the database whose rows are wide and joined (the roster:
    some forty columns with the region's and the detachment's).

    A page is read in one statement of two steps: the sort and the page's window run over the
    ids alone, then only the page's rows are read with their joins and sorted again the same
    way. Sorting thousands of matches as full joined rows, to keep 25 of them, cost more than
    finding them.

    With `count_with_page` the total comes with the page's ids (COUNT(*) OVER ()), for a list
    whose page query reads every match anyway (a search ranked by relevance, which no index
    gives in order): the count is then not a second read of every match. The count is exact
    either way; only a page past the end (a stale link) costs a separate count.
    """

    def __init__(
        self, object_list: QuerySet[Any], per_page: int, *, count_with_page: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.queryset = object_list
        self.count_with_page = count_with_page and not self.orphans

    def _rows(self, ids: Any) -> QuerySet[Any]:
        # The list's own filters and order, applied again to the page's few rows.
        return self.queryset.filter(pk__in=ids)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(self._rows(self.queryset.values("pk")[bottom:top]), number, self)

    def get_page(self, number: Any) -> Page:
        if not self.count_with_page or "count" in self.__dict__:
            return super().get_page(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        if number < 1 or (number - 1) * self.per_page > MAX_BIGINT:
            # Django's get_page sends a page below 1, or past the end, to the last page: that
            # needs the count. A page whose offset does not fit the database's integer would
            # fail in the query instead (a 500), so it goes there before any.
            return super().get_page(number)
        bottom = (number - 1) * self.per_page
        counted = self.queryset.annotate(total_matches=Window(Count("*"))).values_list("pk", "total_matches")
        ids_and_total = list(counted[bottom : bottom + self.per_page])
        if not ids_and_total:
            # No match at all, or a page past the end: counted apart, as Django does.
            return super().get_page(number)
        self.__dict__["count"] = ids_and_total[0][1]
        return Page(self._rows([pk for pk, _ in ids_and_total]), number, self)
