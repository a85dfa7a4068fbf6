"""The portal's error contract: every error under /api/ is `{"detail": "<one message>"}`."""

import logging
import math
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from csa.cache import CACHE_ERRORS
from csa.errors import ApplicationError, RateLimitedError, ServiceUnavailableError

logger = logging.getLogger("csa.api")

INTERNAL_ERROR = "Internal Server Error"
SERVICE_UNAVAILABLE = "服务暂不可用，请稍后再试"
BODY_TOO_LARGE = "请求体过大"
TOO_MANY_FIELDS = "请求字段过多"
# What a database restart or an unreachable cache raise: the request may well succeed if retried.
OUTAGE_ERRORS = (OperationalError, InterfaceError, *CACHE_ERRORS)


@dataclass
class ApiError:
    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


def first_message(detail, default: str) -> str:
    """The first problem of a (nested) DRF error detail, as one readable sentence."""
    if isinstance(detail, dict):
        return first_message(next(iter(detail.values())), default) if detail else default
    if isinstance(detail, list | tuple):
        return first_message(detail[0], default) if detail else default
    return str(detail) if detail else default


def _throttled(wait: float | None) -> ApiError:
    seconds = max(1, math.ceil(wait or 1))
    return ApiError(429, f"请求过于频繁，请{seconds}秒后重试", {"Retry-After": str(seconds)})


def _authentication_message(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.NotAuthenticated):
        return "未提供认证凭据"
    return first_message(exc.detail, "无效的认证凭据")


def outage_as_unavailable(exc: Exception) -> Exception:
    """An outage of the database or the cache, as the 503 a client may retry; others as they are."""
    if not isinstance(exc, OUTAGE_ERRORS):
        return exc
    logger.error("A backing service is unavailable", exc_info=exc)
    return ServiceUnavailableError(SERVICE_UNAVAILABLE)


def oversized_body(exc: Exception, *, invalid_status: int) -> ApiError | None:
    """Django's refusals of a body past its size or field limits: the client's doing, so a 4xx
    and a warning, never a 500; too many fields answer the API's status for a bad body."""
    if isinstance(exc, RequestDataTooBig):
        logger.warning("Request body refused: %s", exc)
        return ApiError(413, BODY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent):
        logger.warning("Request body refused: %s", exc)
        return ApiError(invalid_status, TOO_MANY_FIELDS)
    return None


def portal_error(exc: Exception) -> ApiError:
    """Classify any exception raised under /api/ into a status and one Chinese message."""
    exc = outage_as_unavailable(exc)
    if oversized := oversized_body(exc, invalid_status=422):
        return oversized
    if isinstance(exc, RateLimitedError):
        return ApiError(429, exc.message, {"Retry-After": str(exc.retry_after)})
    if isinstance(exc, ApplicationError):
        return ApiError(exc.status_code, exc.message)
    if isinstance(exc, Http404):
        return ApiError(404, "资源不存在")
    if isinstance(exc, DjangoPermissionDenied):
        return ApiError(403, "无权访问此资源")
    if isinstance(exc, exceptions.ValidationError):
        return ApiError(422, first_message(exc.detail, "参数验证失败"))
    if isinstance(exc, exceptions.ParseError):
        return ApiError(422, "请求体格式错误，应为 JSON")
    if isinstance(exc, exceptions.Throttled):
        return _throttled(exc.wait)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        error = ApiError(exc.status_code, _authentication_message(exc))
        if getattr(exc, "auth_header", None):
            error.headers["WWW-Authenticate"] = exc.auth_header
        return error
    if isinstance(exc, exceptions.MethodNotAllowed):
        return ApiError(405, "不支持该请求方法")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return ApiError(415, "不支持的请求内容类型")
    if isinstance(exc, exceptions.NotFound):
        return ApiError(404, first_message(exc.detail, "资源不存在"))
    if isinstance(exc, exceptions.APIException):
        return ApiError(exc.status_code, first_message(exc.detail, INTERNAL_ERROR))
    logger.error("Unhandled exception in an API view", exc_info=exc)
    return ApiError(status.HTTP_500_INTERNAL_SERVER_ERROR, INTERNAL_ERROR)


def portal_exception_handler(exc: Exception, context: dict) -> Response:
    error = portal_error(exc)
    set_rollback()
    return Response({"detail": error.message}, status=error.status, headers=error.headers)
