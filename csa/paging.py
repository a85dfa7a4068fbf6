"""Pages of newest-first lists, read so that page 10,000 costs about what page 1 does.

Past the first page, a page's keys are found first, from the index that serves the order (its
entries only: no rows, no joins), and only then are those rows read; a plain OFFSET reads and
joins every row it skips. Walks are kept short three ways:

- a page in the older half is walked to from the oldest end;
- a page far from both ends starts from a *bookmark*: the lists' keys at every BOOKMARK_EVERY-th
  place counted from the oldest row, kept in the shared cache. New rows are newer than every
  bookmark, so they leave the bookmarks where they are; whatever else moves rows (a deleted
  ticket, one that changes status) must change the `bookmarks` name the caller passes;
- past the end there is nothing to read (and an offset past 2**63 would overflow the
  database's).

A list is in a total order; one with bookmarks, by ("-created_at", "-id").
"""

from django.core.cache import cache
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import Mod, RowNumber

BOOKMARK_EVERY = 1000
# A walk this long or shorter goes from an end of the index; a longer one from a bookmark.
WALK_MAX = 2 * BOOKMARK_EVERY
BOOKMARKS_KEPT_SECONDS = 3600
ORDER = ("-created_at", "-id")


def rows_between(rows: QuerySet, start: int, stop: int, *, total: int, bookmarks: str = "") -> list:
    """`rows[start:stop]` of the `total` rows; `bookmarks` names this list's bookmarks (none
    without it)."""
    return list(page_query(rows, start, stop, total=total, bookmarks=bookmarks))


def page_query(rows: QuerySet, start: int, stop: int, *, total: int, bookmarks: str = ""):
    """The query `rows_between` runs."""
    if start >= total:
        return rows.none()
    if start == 0:
        return rows[:stop]
    older = max(total - stop, 0)  # rows older than the page
    if start <= older and (start <= WALK_MAX or not bookmarks):
        keys = rows.values("pk")[start:stop]
    elif older <= WALK_MAX or not bookmarks:
        keys = rows.reverse().values("pk")[older : total - start]
    else:
        keys = _keys_from_bookmark(rows, older, stop - start, bookmarks)
    return rows.filter(pk__in=keys)


def _keys_from_bookmark(rows: QuerySet, older: int, count: int, name: str) -> QuerySet:
    """The keys of the `count` rows after the `older` oldest, walked to from the bookmark at or
    before them."""
    if tuple(rows.query.order_by) != ORDER:
        raise ValueError(f"bookmarks need the order {ORDER}, not {rows.query.order_by}")
    place = older // BOOKMARK_EVERY
    marks = cache.get(name)
    if marks is None or place >= len(marks):
        marks = _bookmarks(rows)
        cache.set(name, marks, BOOKMARKS_KEPT_SECONDS)
    created_at, pk = marks[place]
    # At or after the bookmark, oldest first; the first condition alone lets the index start
    # its walk there, the second settles rows of the same moment.
    after = rows.reverse().filter(
        Q(created_at__gte=created_at),
        Q(created_at__gt=created_at) | Q(pk__gte=pk),
    )
    skip = older - place * BOOKMARK_EVERY
    return after.values("pk")[skip : skip + count]


def _bookmarks(rows: QuerySet) -> list[tuple]:
    """(created_at, pk) of the rows at places 0, BOOKMARK_EVERY, 2 × BOOKMARK_EVERY, … counted
    from the oldest: one walk over the list's index."""
    place = Window(RowNumber(), order_by=[F("created_at").asc(), F("pk").asc()])
    numbered = rows.reverse().annotate(mark=Mod(place - 1, BOOKMARK_EVERY))
    return list(numbered.filter(mark=0).values_list("created_at", "pk"))
