"""Paths and envelope checks shared by the rewriting API's account tests."""

import re
import time

from tests.accounts.tencent_sms import configure_tencent_sms
from tests.http_servers import closed_port_url

OTP = "/otp"
REGISTER = "/user/register"
LOGIN = "/user/login"
REFRESH = "/user/refresh"
USER_LIST = "/user/list"
UPDATE_ROLE = "/user/update-role"
UPDATE_RATE = "/user/update-rate"
UPDATE_POINTS = "/user/update-points"
LOGOUT = "/user/logout"
CHANGE_PASSWORD = "/user/change-password"
PORTAL_LOGIN = "/api/auth/login"
PORTAL_ME = "/api/users/me"

MEMBER_PHONE = "+8613800138000"  # the `member` fixture's
NEW_PHONE = "+8613900139000"  # nobody's

ENVELOPE_KEYS = {"code", "message", "data", "timestamp"}
MILLISECOND_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
INVITE_CODE = re.compile(r"[A-Z0-9]{6}")
THROTTLED = re.compile(r"请求过于频繁，请\d+秒后重试")

BAD_JSON = "请求体格式错误，应为 JSON"
MISSING_TOKEN = "缺少访问令牌"
INVALID_TOKEN = "访问令牌无效"
METHOD_NOT_ALLOWED = "不支持该请求方法"
CODE_REFUSED = "验证码错误或已过期"
REFRESH_REFUSED = "刷新令牌无效或已过期"
WRONG_CREDENTIALS = "用户名或密码错误"

# A user as an admin's change answers it (update-role, -rate and -points add to it).
CHANGED_USER_KEYS = {
    "id",
    "user_id",
    "username",
    "email",
    "phone",
    "role",
    "points_balance",
    "rate",
    "invite_code",
    "invited_by",
    "created_at",
}


def schema_properties(client, component: str) -> dict:
    """The properties of one component of the served OpenAPI schema."""
    schema = client.get("/api/schema/", {"format": "json"}).json()
    return schema["components"]["schemas"][component]["properties"]


def assert_envelope(response, status: int, message: str | re.Pattern | None = None):
    """The envelope of `response`, checked whole; its `data`."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["code"] == (0 if status < 400 else status)
    if isinstance(message, re.Pattern):
        assert message.fullmatch(body["message"]), body["message"]
    elif message is not None:
        assert body["message"] == message
    timestamp = body["timestamp"]
    assert type(timestamp) is int
    assert abs(timestamp - time.time() * 1000) < 5000
    if status >= 400:
        assert body["data"] is None
    return body["data"]


def assert_ok(response, message: str):
    return assert_envelope(response, 200, message)


def assert_refused(response, status: int, message: str | re.Pattern) -> None:
    assert_envelope(response, status, message)
    if status == 429:
        assert int(response["Retry-After"]) >= 1


def post(client, path: str, body: dict | None = None, **extra):
    return client.post(path, body if body is not None else {}, format="json", **extra)


def post_raw(client, path: str, raw: str, **extra):
    """A body that is not JSON, sent as if it were."""
    return client.post(path, raw, content_type="application/json", **extra)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def point_sms_at_closed_port(settings) -> None:
    """SMS through Tencent, fully configured, at an address where nothing listens."""
    configure_tencent_sms(settings, endpoint=closed_port_url())
