from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from csa.api.exceptions import INTERNAL_ERROR
from csa.api.serializers import error_responses
from csa.api.throttling import ClientIPThrottle
from csa.envelope import is_envelope_path
from csa.envelope.views import envelope_server_error
from csa.errors import ServiceUnavailableError


class PublicAPIView(APIView):
    """A route anyone may call: no credentials read, throttled per client address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientIPThrottle]
    throttle_scope = "public"


DOWNLOAD_LINK_INVALID = "下载链接无效或已过期"


class AnyAcceptNegotiation(BaseContentNegotiation):
    """A download answers with the file whatever the client accepts; errors stay JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PublicDownloadView(PublicAPIView):
    """A signed download link of local storage: the signature in the URL is the credential."""

    content_negotiation_class = AnyAcceptNegotiation


# What GET /api/ tells a developer: where the description of everything is, and what is where.
OFFERS = {
    "name": settings.SPECTACULAR_SETTINGS["TITLE"],
    "version": settings.SPECTACULAR_SETTINGS["VERSION"],
    "docs": "/api/docs/",
    "schema": "/api/schema/",
    "health": "/api/health",
    "portal": {
        tag["name"]: tag["description"]
        for tag in settings.SPECTACULAR_SETTINGS["TAGS"]
        if tag["description"].startswith("门户")
    },
    "rewriting": {
        tag["name"]: tag["description"]
        for tag in settings.SPECTACULAR_SETTINGS["TAGS"]
        if tag["description"].startswith("降重服务")
    },
}


class RootView(PublicAPIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "ApiRoot",
                {
                    "name": serializers.CharField(),
                    "version": serializers.CharField(),
                    "docs": serializers.CharField(help_text="Swagger UI"),
                    "schema": serializers.CharField(help_text="OpenAPI 3"),
                    "health": serializers.CharField(),
                    "portal": serializers.DictField(child=serializers.CharField()),
                    "rewriting": serializers.DictField(child=serializers.CharField()),
                },
            )
        },
        summary="API 根：文档、模式与各模块",
    )
    def get(self, request: Request) -> Response:
        return Response(OFFERS)


class HealthView(PublicAPIView):
    @extend_schema(
        responses={
            200: inline_serializer("Health", {"status": serializers.CharField()}),
            **error_responses(503),
        },
        summary="健康检查（含数据库）",
    )
    def get(self, request: Request) -> Response:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as exc:
            raise ServiceUnavailableError("数据库不可用") from exc
        return Response({"status": "ok"})


class NotFoundView(PublicAPIView):
    """Answers every path under /api/ that no route claims, in the portal's error shape."""

    schema = None

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound("接口不存在")


class SchemaView(SpectacularAPIView):
    throttle_classes = [ClientIPThrottle]
    throttle_scope = "public"


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served apart, so that no inline script needs the
    Content-Security-Policy to allow it."""

    throttle_classes = [ClientIPThrottle]
    throttle_scope = "public"


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's last-resort 500: JSON in each API's shape on its paths, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": INTERNAL_ERROR}, status=500)
    if is_envelope_path(request.path):
        return envelope_server_error()
    return defaults.server_error(request)
