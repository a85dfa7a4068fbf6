"""OpenAPI for the rewriting API: every answer documented inside its envelope."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


def enveloped(name: str, data: serializers.Field | None = None) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        fields={
            "code": serializers.IntegerField(help_text="0 表示成功，否则为 HTTP 状态码"),
            "message": serializers.CharField(),
            "data": data if data is not None else serializers.JSONField(allow_null=True),
            "timestamp": serializers.IntegerField(help_text="毫秒时间戳"),
        },
    )


ENVELOPE_ERROR = enveloped("EnvelopeError")


def envelope_responses(name: str, data: serializers.Field | None, *error_codes: int) -> dict:
    """`extend_schema(responses=...)` for a route: its success and the errors it documents."""
    return {200: enveloped(name, data), **envelope_errors(*error_codes)}


def envelope_errors(*error_codes: int) -> dict:
    """The errors alone, for a route whose success is not the envelope."""
    return dict.fromkeys(error_codes, ENVELOPE_ERROR)
