"""The error contract under /api/: every error is {"detail": "<one message>"}."""

import json
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle

from csa import urls
from csa.api.exceptions import portal_exception_handler
from csa.api.views import server_error
from csa.errors import (
    ApplicationError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    ServiceUnavailableError,
)

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, detail: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail}


# --- routing --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/nope", "/api/auth/nope", "/api/users/me/nope", "/api/x/"])
def test_unknown_path_is_json_404(api_client, path):
    assert_error(api_client.get(path), 404, "接口不存在")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unknown_path_is_404_for_every_method(api_client, method):
    assert_error(getattr(api_client, method)("/api/nope"), 404, "接口不存在")


def test_unknown_path_is_404_even_with_a_bad_token(api_client):
    response = api_client.get("/api/nope", HTTP_AUTHORIZATION="Bearer garbage")

    assert_error(response, 404, "接口不存在")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/auth/login"),
        ("get", "/api/auth/token"),
        ("get", "/api/auth/send-code"),
        ("get", "/api/auth/register"),
        ("post", "/api/"),
        ("post", "/api/health"),
    ],
)
def test_wrong_method_on_a_public_route_is_405(api_client, method, path):
    assert_error(getattr(api_client, method)(path), 405, "不支持该请求方法")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/users/me"),
        ("put", "/api/users/me"),
        ("post", "/api/auth/me"),
        ("patch", "/api/auth/me"),
        ("get", "/api/users/me/change-password"),
    ],
)
def test_wrong_method_with_a_valid_token_is_405(auth_client, method, path):
    assert_error(getattr(auth_client, method)(path), 405, "不支持该请求方法")


def test_wrong_method_without_a_token_is_401(api_client):
    assert_error(api_client.delete("/api/users/me"), 401, "未提供认证凭据")


# --- request bodies -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/auth/send-code", "/api/auth/register", "/api/auth/login"])
@pytest.mark.parametrize("body", ["{bad json", '{"email": ', "\xff"])
def test_malformed_json_is_422(api_client, path, body):
    response = api_client.generic("POST", path, body, content_type="application/json")

    assert_error(response, 422, "请求体格式错误，应为 JSON")


@pytest.mark.parametrize(
    ("method", "path"), [("patch", "/api/users/me"), ("post", "/api/users/me/change-password")]
)
def test_malformed_json_with_a_token_is_422(auth_client, method, path):
    response = auth_client.generic(
        method.upper(), path, "{bad json", content_type="application/json"
    )

    assert_error(response, 422, "请求体格式错误，应为 JSON")


def test_validation_reports_the_first_problem_only(api_client):
    response = api_client.post(
        "/api/auth/register",
        {"email": "bad", "password": "short", "verification_code": "1"},
        format="json",
    )

    assert_error(response, 422, "邮箱格式不正确")


# --- authentication -------------------------------------------------------------------------


def test_no_token_is_401_with_challenge(api_client):
    response = api_client.get("/api/auth/me")

    assert_error(response, 401, "未提供认证凭据")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_garbage_token_is_401_with_challenge(api_client):
    response = api_client.get("/api/auth/me", HTTP_AUTHORIZATION="Bearer not.a.token")

    assert_error(response, 401, "无效的认证凭据")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_public_routes_ignore_a_bad_token(api_client):
    response = api_client.get("/api/", HTTP_AUTHORIZATION="Bearer garbage")

    assert response.status_code == 200


# --- the handler itself ---------------------------------------------------------------------


def test_unexpected_exception_is_500_and_logged(caplog):
    with caplog.at_level(logging.ERROR, logger="csa.api"):
        response = portal_exception_handler(RuntimeError("boom"), {})

    assert response.status_code == 500
    assert response.data == {"detail": "Internal Server Error"}
    records = [r for r in caplog.records if r.name == "csa.api"]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    assert records[0].exc_info[0] is RuntimeError
    assert str(records[0].exc_info[1]) == "boom"


def test_unexpected_exception_message_is_not_leaked(caplog):
    response = portal_exception_handler(ValueError("secret database password"), {})

    assert response.data == {"detail": "Internal Server Error"}


class BrokenCache:
    def get(self, *args, **kwargs):
        raise RuntimeError("cache down")

    def set(self, *args, **kwargs):
        raise RuntimeError("cache down")


def test_unexpected_exception_in_a_request_is_json_500(api_client, monkeypatch, caplog):
    # The throttle's cache is DRF's boundary: break it, not our own code.
    monkeypatch.setattr(SimpleRateThrottle, "cache", BrokenCache())

    with caplog.at_level(logging.ERROR, logger="csa.api"):
        response = api_client.get("/api/")

    assert_error(response, 500, "Internal Server Error")
    assert any(r.name == "csa.api" and r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    ("exc", "status", "detail"),
    [
        (ApplicationError("业务错误"), 400, "业务错误"),
        (ApplicationError("邮件发送失败", status_code=500), 500, "邮件发送失败"),
        (NotFoundError("工单不存在"), 404, "工单不存在"),
        (ForbiddenError("无权操作"), 403, "无权操作"),
        (ConflictError("冲突"), 409, "冲突"),
        (ServiceUnavailableError("数据库不可用"), 503, "数据库不可用"),
        (Http404("whatever"), 404, "资源不存在"),
        (PermissionDenied(), 403, "无权访问此资源"),
        (exceptions.ValidationError({"a": ["第一个"], "b": ["第二个"]}), 422, "第一个"),
        (exceptions.ValidationError({"a": {"b": ["嵌套"]}}), 422, "嵌套"),
        (exceptions.ValidationError([]), 422, "参数验证失败"),
        (exceptions.ParseError(), 422, "请求体格式错误，应为 JSON"),
        (exceptions.NotAuthenticated(), 401, "未提供认证凭据"),
        (exceptions.AuthenticationFailed("无效的认证凭据"), 401, "无效的认证凭据"),
        (exceptions.MethodNotAllowed("DELETE"), 405, "不支持该请求方法"),
        (
            exceptions.UnsupportedMediaType("text/plain"),
            415,
            "不支持的请求内容类型",
        ),
        (exceptions.NotFound("接口不存在"), 404, "接口不存在"),
        (exceptions.PermissionDenied("账号已被禁用"), 403, "账号已被禁用"),
    ],
)
def test_handler_classifies_exceptions(exc, status, detail):
    response = portal_exception_handler(exc, {})

    assert response.status_code == status
    assert response.data == {"detail": detail}


def test_handler_sets_retry_after_for_rate_limits():
    response = portal_exception_handler(RateLimitedError("太快了", retry_after=42), {})

    assert response.status_code == 429
    assert response.data == {"detail": "太快了"}
    assert response["Retry-After"] == "42"


@pytest.mark.parametrize(("wait", "seconds"), [(0.2, 1), (None, 1), (59.1, 60), (3, 3)])
def test_handler_rounds_throttle_waits_up(wait, seconds):
    response = portal_exception_handler(exceptions.Throttled(wait=wait), {})

    assert response.status_code == 429
    assert response.data == {"detail": f"请求过于频繁，请{seconds}秒后重试"}
    assert response["Retry-After"] == str(seconds)


# --- Django's last-resort 500 (an exception outside DRF's reach) -----------------------------


def test_server_error_under_api_is_json(rf):
    response = server_error(rf.get("/api/auth/me"))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": "Internal Server Error"}


def test_server_error_elsewhere_is_django_html(rf):
    response = server_error(rf.get("/admin/"))

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_api_urlconf_uses_the_json_server_error():
    assert urls.handler500 == "csa.api.views.server_error"
