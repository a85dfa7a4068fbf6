from datetime import datetime

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class DownloadUrlSerializer(serializers.Serializer):
    download_url = serializers.URLField()
    expires_in = serializers.IntegerField()


def download_url_answer(url: str) -> dict:
    """A `download-url` route's answer: the link, and how long it lasts."""
    body = {"download_url": url, "expires_in": settings.FILE_DOWNLOAD_URL_EXPIRES_SECONDS}
    return DownloadUrlSerializer(body).data


def datetime_text(moment: datetime | None) -> str | None:
    """A time as the portal's answers write it, for hand-written answers: what DRF's
    DateTimeField gives (ISO 8601 in the current time zone, UTC as `Z`), without its settings
    lookups, three times a ticket (tests/api/test_hand_written_answers.py)."""
    if moment is None:
        return None
    text = moment.astimezone(timezone.get_current_timezone()).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI entries for the portal's error shape, for the given status codes."""
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


def page_of(item: type[serializers.Serializer]) -> serializers.Serializer:
    """The OpenAPI body of a portal list: `{"total", "items"}`."""
    name = item.__name__.removesuffix("Serializer") + "Page"
    return inline_serializer(name, {"total": serializers.IntegerField(), "items": item(many=True)})
