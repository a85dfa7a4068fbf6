from datetime import datetime

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

_DATETIME = serializers.DateTimeField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def datetime_text(moment: datetime | None) -> str | None:
    """A time as the portal's answers write it (DRF's DateTimeField), for hand-written answers."""
    return _DATETIME.to_representation(moment)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI entries for the portal's error shape, for the given status codes."""
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


def page_of(item: type[serializers.Serializer]) -> serializers.Serializer:
    """The OpenAPI body of a portal list: `{"total", "items"}`."""
    name = item.__name__.removesuffix("Serializer") + "Page"
    return inline_serializer(name, {"total": serializers.IntegerField(), "items": item(many=True)})
