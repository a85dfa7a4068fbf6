"""Console lists that cost the same at a million rows as at a thousand."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.contrib import messages
from django.contrib.admin import ShowFacets
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

from accounts.models import User
from accounts.selectors import users_by_email, users_by_username

COUNT_CAP = 10_000
# A trigram index finds a substring of three characters or more. A shorter one (a two-character
# Chinese word) it cannot: such a term is looked for among the newest rows only.
TRIGRAM_MIN = 3
SHORT_TERM_WINDOW = 10_000
# A search for a part of a name finds the rows of at most this many of the users it matches.
USERS_NAMED_MAX = 20
# What `user_ids_named` finds, for the search boxes' help.
USER_NAMES_HELP = f"用户的邮箱 / 用户名 / 手机号（完整或其中至少 {TRIGRAM_MIN} 个字符）"


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows, so a page's count costs the same however many match; past
    the cap the console says "超过 10000", and search or filters narrow the list."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class ScaledChangelist:
    """A changelist that an index serves: rows in an indexed order, counts capped, no facet
    counts or full count over the table, and a search (`search_condition`) that each admin
    writes for what its indexes can find (its `search_fields` only show the search box). The
    model has `created_at`, and an index on (-created_at, -id)."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    sortable_by = ()
    search_help_text = ""
    searches_text = False  # whether search_condition looks for text with `contains`

    def search_condition(self, term: str) -> Q:
        raise NotImplementedError

    def get_search_results(self, request, queryset: QuerySet, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        if self.searches_text and len(term) < TRIGRAM_MIN:
            self.message_user(
                request,
                f"少于 {TRIGRAM_MIN} 个字符的文字只在最新的 {SHORT_TERM_WINDOW} 条记录中查找",
                messages.INFO,
            )
        return queryset.filter(self.search_condition(term)), False

    def contains(self, term: str, *fields: str) -> Q:
        """Rows with `term` in any of the fields, whatever its case: by the fields' trigram
        indexes, or for a short term among the newest rows, written so that the planner walks
        those rather than the whole trigram index."""
        if len(term) >= TRIGRAM_MIN:
            return Q.create([(f"{field}__icontains", term) for field in fields], connector=Q.OR)
        found = Q.create(
            [GreaterThan(StrIndex(Upper(field), Upper(Value(term))), 0) for field in fields],
            connector=Q.OR,
        )
        newest = self.model._default_manager.order_by("-created_at", "-id")
        since = newest.values_list("created_at", flat=True)[SHORT_TERM_WINDOW - 1 :].first()
        return found if since is None else found & Q(created_at__gte=since)


def user_ids_named(term: str) -> list[int]:
    """The users this address, username or login phone names, whatever its case (each found by
    its unique index); failing that, up to USERS_NAMED_MAX users with the term in one of them
    (by their trigram indexes). Looked up first, so the rows they own are then found by theirs."""
    if "@" in term:
        named = [users_by_email(term)]
    else:
        named = [users_by_username(term), User.objects.filter(phone=term)]
    found = [pk for users in named for pk in users.values_list("pk", flat=True)]
    if found or len(term) < TRIGRAM_MIN:
        return found
    partly = Q(email__icontains=term) | Q(username__icontains=term) | Q(phone__icontains=term)
    users = User.objects.filter(partly).order_by("-created_at", "-id")
    return list(users.values_list("pk", flat=True)[:USERS_NAMED_MAX])


def row_id(term: str) -> Q:
    """The row with this number as its id; none when it is no number a bigint holds."""
    return Q(pk=int(term)) if term.isdecimal() and len(term) <= 18 else Q(pk__in=[])


def records_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, more: str | None = None
) -> str:
    """A small read-only table of a record's related rows for its change page: `rows` of
    plain values (escaped here), then `more` (safe HTML, e.g. a link to the full list)."""
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((_shown(v),) for v in row)),) for row in rows),
    )
    if not body:
        return "—"
    table = format_html('<table class="records"><tr>{}</tr>{}</table>', head, body)
    return format_html("{}{}", table, more) if more else table


def _shown(value: object) -> object:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return date_format(localtime(value), "Y-m-d H:i")
    return value
