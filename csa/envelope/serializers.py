"""Fields and pages as the rewriting API's document writes them."""

import math
from datetime import UTC, datetime

from django.db.models import QuerySet
from rest_framework import serializers

from csa.paging import rows_between

# Past this a page's offset would overflow the database's integer; no one pages that far.
MAX_PAGE = 10**9


def validated(serializer_class: type[serializers.Serializer], data) -> dict:
    """`data` checked by `serializer_class`; a ValidationError (400 in the envelope) if not."""
    payload = serializer_class(data=data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


class MillisecondDateTimeField(serializers.DateTimeField):
    """`2023-12-01T10:00:00.000Z`, as the document writes times."""

    def to_representation(self, value) -> str:
        return milliseconds_text(value)


def milliseconds_text(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


class PageParamsSerializer(serializers.Serializer):
    """`page` (default 1) and `limit` (default 20, at most 100), with the ledger's messages."""

    page = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PAGE,
        default=1,
        error_messages={
            "invalid": "页码必须是整数",
            "min_value": "页码必须大于0",
            "max_value": "页码超出范围",
        },
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=100,
        default=20,
        error_messages={
            "invalid": "每页数量必须是整数",
            "min_value": "每页数量必须大于0",
            "max_value": "每页数量不能超过100",
        },
    )


class PaginationSerializer(serializers.Serializer):
    current_page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    total = serializers.IntegerField()
    total_pages = serializers.IntegerField()
    has_next_page = serializers.BooleanField()
    has_prev_page = serializers.BooleanField()


def page_of(rows: QuerySet, *, page: int, limit: int) -> tuple[list, dict]:
    """One page of `rows` and the document's `pagination` object: two queries."""
    total = rows.count()
    start = (page - 1) * limit
    rows = rows_between(rows, start, start + limit, total=total)
    return rows, pagination_of(page=page, limit=limit, total=total)


def pagination_of(*, page: int, limit: int, total: int) -> dict:
    """The document's `pagination` object for page `page` of `limit` rows out of `total`."""
    total_pages = math.ceil(total / limit)
    return {
        "current_page": page,
        "per_page": limit,
        "total": total,
        "total_pages": total_pages,
        "has_next_page": page < total_pages,
        "has_prev_page": page > 1,
    }
