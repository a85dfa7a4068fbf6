from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI entries for the portal's error shape, for the given status codes."""
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}
