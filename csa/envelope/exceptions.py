"""The rewriting API's error contract: one message in the envelope, `code` = HTTP status."""

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from csa.api.exceptions import (
    ApiError,
    first_message,
    outage_as_unavailable,
    oversized_body,
    portal_error,
)
from csa.envelope.responses import EnvelopeResponse
from csa.errors import ApplicationError

BAD_JSON = "请求体格式错误，应为 JSON"
INVALID_PARAMETERS = "参数校验失败"
MISSING_TOKEN = "缺少访问令牌"  # noqa: S105 (a message, not a secret)
INVALID_TOKEN = "访问令牌无效"  # noqa: S105
NO_ACCESS = "无权访问"
SERVER_ERROR = "服务器内部错误"


def envelope_error(exc: Exception, view) -> ApiError:
    """Classify an exception as this API words it; what both APIs share comes from the portal's."""
    exc = outage_as_unavailable(exc)
    if oversized := oversized_body(exc, invalid_status=400):
        return oversized
    if isinstance(exc, exceptions.ValidationError):
        return ApiError(400, first_message(exc.detail, INVALID_PARAMETERS))
    if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
        return ApiError(400, getattr(view, "bad_body_message", BAD_JSON))
    if isinstance(exc, exceptions.NotAuthenticated):
        # Two routes of the document answer a missing token with 400, the rest with 401.
        return _with_challenge(ApiError(getattr(view, "missing_token_status", 401), MISSING_TOKEN))
    if isinstance(exc, exceptions.AuthenticationFailed):
        return _with_challenge(ApiError(401, INVALID_TOKEN))
    if isinstance(exc, exceptions.PermissionDenied):
        default = exceptions.PermissionDenied.default_detail
        return ApiError(403, NO_ACCESS if exc.detail == default else str(exc.detail))
    error = portal_error(exc)
    if error.status >= 500 and not isinstance(exc, ApplicationError):
        error.message = getattr(view, "server_error_message", SERVER_ERROR)
    return error


def _with_challenge(error: ApiError) -> ApiError:
    if error.status == 401:
        error.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return error


def envelope_exception_handler(exc: Exception, context: dict) -> Response:
    error = envelope_error(exc, context.get("view"))
    set_rollback()
    return EnvelopeResponse(None, status=error.status, message=error.message, headers=error.headers)
