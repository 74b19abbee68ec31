"""Counting a queue without reading all of it: exact up to a cap, an estimate beyond.

A queue page shows how many claims each state holds and how many pages the list has. Counted
exactly, a province's million claims are read on every page; counted up to ``COUNT_CAP`` (an
index-only scan of at most that many entries), a number above it is shown as 超过 10,000 with,
on PostgreSQL, the planner's estimate of the whole, marked as an estimate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


@dataclass(frozen=True)
class Tally:
    """How many: ``exact`` when at most the cap, else None and ``estimate`` (None where the
    database gives none)."""

    exact: int | None
    estimate: int | None = None

    def __bool__(self) -> bool:
        return self.exact is None or self.exact > 0

    def __str__(self) -> str:
        return str(self.exact) if self.exact is not None else f"超过 {COUNT_CAP:,}"

    @property
    def shown(self) -> int | str:
        """What a page prints: the number, or 超过 10,000."""
        return self.exact if self.exact is not None else str(self)

    @property
    def total_text(self) -> str:
        """The list's total as the page words it: 共 12 件, or 超过 10,000 件（估计约 …）."""
        if self.exact is not None:
            return f"共 {self.exact} 件"
        if self.estimate:
            return f"超过 {COUNT_CAP:,} 件（估计约 {self.estimate:,} 件，为数据库的估计数）"
        return f"超过 {COUNT_CAP:,} 件"

    @property
    def for_pages(self) -> int:
        """The count the pages are numbered by: exact, else the estimate (at least past the cap)."""
        if self.exact is not None:
            return self.exact
        return max(self.estimate or 0, COUNT_CAP + 1)


def planner_estimate(claims: QuerySet) -> int | None:
    """PostgreSQL's estimate of how many rows ``claims`` has (planned, not run); None elsewhere."""
    connection = connections[claims.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = claims.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def capped_count(claims: QuerySet) -> Tally:
    """Counted up to ``COUNT_CAP``; beyond it, the estimate."""
    n = claims.order_by().values("pk")[: COUNT_CAP + 1].count()
    if n <= COUNT_CAP:
        return Tally(n)
    return Tally(None, planner_estimate(claims))


def grouped_counts(claims: QuerySet, field: str) -> dict | None:
    """How many of ``claims`` have each value of ``field``, exactly, when they are at most
    ``COUNT_CAP`` in all — one query that reads at most that many claims, however many match —
    else None (the caller then counts each value through its own index). Measured on a million
    claims: a name search matching 7,400 claims counted in 20 ms instead of 100–150 ms state by
    state; a broad queue gives up after 1–2 ms."""
    # Grouped over the limited rows themselves (a FROM subquery): grouping the claims "whose pk is
    # among" the limited ones lets the planner join them back against the whole table.
    sql, params = claims.order_by().values(field)[: COUNT_CAP + 1].query.sql_with_params()
    connection = connections[claims.db]
    column = connection.ops.quote_name(field)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column}, COUNT(*) FROM ({sql}) AS limited GROUP BY {column}", params)
        counts = dict(cursor.fetchall())
    return counts if sum(counts.values()) <= COUNT_CAP else None


#: From this many rows into a list, a page's rows are found by their ids first (see ``page``).
DEFERRED_FROM = 500


class CappedPaginator(Paginator):
    """A paginator whose count stops at the cap (``tally`` says whether it is exact), or is the
    ``tally`` given (a count kept elsewhere)."""

    def __init__(self, object_list, per_page, *args, tally: Tally | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if tally is not None:
            self.__dict__["tally"] = tally  # the cached property's value, known already

    @cached_property
    def tally(self) -> Tally:
        return capped_count(self.object_list)  # type: ignore[arg-type]  # (as written before types were checked (issue 23: typed later))

    @cached_property
    def count(self) -> int:
        return self.tally.for_pages

    def page(self, number):
        """The page's rows. Deep into a list (page 150 of the paid claims sorted by applicant: 7,450
        rows skipped) the rows skipped are read as ids only — from the sort order's index — and the
        page's own rows fetched by id afterwards, in the same order: reading every skipped row whole
        (its facts and decision, its applicant) made such a page three times slower."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < DEFERRED_FROM or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        return Page([found[pk] for pk in ids if pk in found], number, self)
