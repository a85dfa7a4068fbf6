"""Every answer under /otp and /user/ is {"code", "message", "data", "timestamp"}, errors too."""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import DEFAULT_PASSWORD
from tests.rewriting_accounts.helpers import (
    BAD_JSON,
    CHANGE_PASSWORD,
    CODE_REFUSED,
    INVALID_TOKEN,
    LOGIN,
    LOGOUT,
    MEMBER_PHONE,
    METHOD_NOT_ALLOWED,
    MISSING_TOKEN,
    NEW_PHONE,
    OTP,
    PORTAL_LOGIN,
    REFRESH,
    REFRESH_REFUSED,
    REGISTER,
    THROTTLED,
    UPDATE_ROLE,
    USER_LIST,
    WRONG_CREDENTIALS,
    assert_envelope,
    assert_refused,
    bearer,
    point_sms_at_closed_port,
    post,
    post_raw,
)

pytestmark = pytest.mark.django_db

COOLDOWN = re.compile(r"验证码发送过于频繁，请\d+秒后重试")
NOT_FOUND = "接口不存在"
SIGNUP = {"username": "newbie", "email": "newbie@example.com", "password": "secret123"}
ALICE = {"username": "alice", "password": DEFAULT_PASSWORD}


@dataclass
class World:
    """What a case may use: an anonymous client, one user of each role, the knobs."""

    anonymous: APIClient
    member: User
    admin: User
    agent: User
    client_for: Callable[[User], APIClient]
    throttle_rates: dict[str, str]
    settings: Any

    def as_member(self) -> APIClient:
        return self.client_for(self.member)

    def as_admin(self) -> APIClient:
        return self.client_for(self.admin)

    def twice(self, path: str, body: dict):
        post(self.anonymous, path, body)
        return post(self.anonymous, path, body)

    def login(self) -> dict:
        return post(self.anonymous, LOGIN, ALICE).json()["data"]["session"]


@pytest.fixture
def world(api_client, member, admin, agent, client_for, throttle_rates, settings) -> World:
    return World(api_client, member, admin, agent, client_for, throttle_rates, settings)


def throttled(scope: str, path: str, body: dict) -> Callable[[World], Any]:
    def call(w: World):
        w.throttle_rates[scope] = "1/min"
        return w.twice(path, body)

    return call


def otp_throttled(w: World):
    w.throttle_rates["send_code"] = "1/min"
    post(w.anonymous, OTP, {"phone": NEW_PHONE})
    return post(w.anonymous, OTP, {"phone": "+8613700137000"})


def sms_down(w: World):
    point_sms_at_closed_port(w.settings)
    return post(w.anonymous, OTP, {"phone": NEW_PHONE})


def login_locked(w: World):
    w.settings.LOGIN_FAILURE_LIMIT = 1
    post(w.anonymous, LOGIN, {**ALICE, "password": "wrong-password"})
    return post(w.anonymous, LOGIN, ALICE)


def disabled(w: World) -> User:
    w.member.is_active = False
    w.member.save(update_fields=["is_active"])
    return w.member


def login_disabled(w: World):
    disabled(w)
    return post(w.anonymous, LOGIN, ALICE)


def as_disabled_member(w: World) -> APIClient:
    client = w.as_member()
    disabled(w)
    return client


def refresh(w: World):
    return post(w.anonymous, REFRESH, {"refresh_token": w.login()["refresh_token"]})


def change_password(client: APIClient, current: str, new: str):
    return post(client, CHANGE_PASSWORD, {"current_password": current, "new_password": new})


def role_change(client: APIClient, target_user_id: str, role: str = "agent"):
    return post(client, UPDATE_ROLE, {"target_user_id": target_user_id, "role": role})


# (call, status, message): every route, its success and each class of error it can answer.
CASES = {
    # 1. POST /otp
    "otp ok": (lambda w: post(w.anonymous, OTP, {"phone": NEW_PHONE}), 200, "验证码发送成功"),
    "otp bad json": (lambda w: post_raw(w.anonymous, OTP, "{"), 400, BAD_JSON),
    "otp bad phone": (lambda w: post(w.anonymous, OTP, {"phone": "12ab"}), 400, "手机号格式不正确"),
    "otp unknown phone for login": (
        lambda w: post(w.anonymous, OTP, {"phone": NEW_PHONE, "purpose": "login"}),
        404,
        "该手机号尚未注册",
    ),
    "otp wrong method": (lambda w: w.anonymous.get(OTP), 405, METHOD_NOT_ALLOWED),
    "otp registered phone for signup": (
        lambda w: post(w.anonymous, OTP, {"phone": MEMBER_PHONE}),
        409,
        "该手机号已注册，请直接登录",
    ),
    "otp throttled": (otp_throttled, 429, THROTTLED),
    "otp cooldown": (lambda w: w.twice(OTP, {"phone": NEW_PHONE}), 429, COOLDOWN),
    "otp sms down": (sms_down, 500, "验证码发送失败"),
    # 2. POST /user/register
    "register ok": (lambda w: post(w.anonymous, REGISTER, SIGNUP), 200, "注册成功"),
    "register bad json": (lambda w: post_raw(w.anonymous, REGISTER, "{"), 400, BAD_JSON),
    "register short username": (
        lambda w: post(w.anonymous, REGISTER, {**SIGNUP, "username": "ab"}),
        400,
        "用户名至少3个字符",
    ),
    "register phone without code": (
        lambda w: post(w.anonymous, REGISTER, {**SIGNUP, "phone": NEW_PHONE}),
        400,
        "提供手机号时必须提供验证码",
    ),
    "register wrong code": (
        lambda w: post(
            w.anonymous, REGISTER, {**SIGNUP, "phone": NEW_PHONE, "verification_code": "000000"}
        ),
        400,
        CODE_REFUSED,
    ),
    "register unknown invite code": (
        lambda w: post(w.anonymous, REGISTER, {**SIGNUP, "invite_code": "ZZZZZZ"}),
        404,
        "邀请码无效",
    ),
    "register wrong method": (lambda w: w.anonymous.get(REGISTER), 405, METHOD_NOT_ALLOWED),
    "register username taken": (
        lambda w: post(w.anonymous, REGISTER, {**SIGNUP, "username": "ALICE"}),
        409,
        "用户名已存在",
    ),
    "register throttled": (throttled("register", REGISTER, SIGNUP), 429, THROTTLED),
    # 3. POST /user/login
    "login ok": (lambda w: post(w.anonymous, LOGIN, ALICE), 200, "登录成功"),
    "login bad json": (lambda w: post_raw(w.anonymous, LOGIN, "{"), 400, BAD_JSON),
    "login two ways": (
        lambda w: post(w.anonymous, LOGIN, {**ALICE, "phone": MEMBER_PHONE}),
        400,
        "只能选择一种登录方式",
    ),
    "login no way": (
        lambda w: post(w.anonymous, LOGIN, {}),
        400,
        "请提供用户名密码或手机号验证码进行登录",
    ),
    "login wrong password": (
        lambda w: post(w.anonymous, LOGIN, {**ALICE, "password": "wrong-password"}),
        401,
        WRONG_CREDENTIALS,
    ),
    "login disabled": (login_disabled, 403, "账号已被禁用"),
    "login unknown phone": (
        lambda w: post(w.anonymous, LOGIN, {"phone": NEW_PHONE, "verification_code": "123456"}),
        404,
        "手机号未注册",
    ),
    "login wrong method": (lambda w: w.anonymous.get(LOGIN), 405, METHOD_NOT_ALLOWED),
    "login throttled": (throttled("login", LOGIN, ALICE), 429, THROTTLED),
    "login locked": (login_locked, 429, "登录失败次数过多，请稍后再试"),
    # POST /user/refresh
    "refresh ok": (refresh, 200, "刷新成功"),
    "refresh bad json": (lambda w: post_raw(w.anonymous, REFRESH, "{"), 400, BAD_JSON),
    "refresh no token": (lambda w: post(w.anonymous, REFRESH, {}), 400, "刷新令牌不能为空"),
    "refresh unknown token": (
        lambda w: post(w.anonymous, REFRESH, {"refresh_token": "nope"}),
        401,
        REFRESH_REFUSED,
    ),
    "refresh wrong method": (lambda w: w.anonymous.get(REFRESH), 405, METHOD_NOT_ALLOWED),
    "refresh throttled": (
        throttled("login", REFRESH, {"refresh_token": "nope"}),
        429,
        THROTTLED,
    ),
    # 4. GET /user/list
    "list ok": (lambda w: w.as_admin().get(USER_LIST), 200, "获取用户列表成功"),
    "list limit too big": (
        lambda w: w.as_admin().get(USER_LIST, {"limit": 101}),
        400,
        "limit必须是1到100之间的整数",
    ),
    "list no token": (lambda w: w.anonymous.get(USER_LIST), 401, MISSING_TOKEN),
    "list bad token": (
        lambda w: w.anonymous.get(USER_LIST, **bearer("garbage")),
        401,
        INVALID_TOKEN,
    ),
    "list as user": (lambda w: w.as_member().get(USER_LIST), 403, "无权访问"),
    "list wrong method": (lambda w: post(w.as_admin(), USER_LIST), 405, METHOD_NOT_ALLOWED),
    # 5. POST /user/update-role
    "update-role ok": (
        lambda w: role_change(w.as_admin(), str(w.member.uuid)),
        200,
        "角色更新成功",
    ),
    "update-role bad json": (lambda w: post_raw(w.as_admin(), UPDATE_ROLE, "{"), 400, BAD_JSON),
    "update-role bad user id": (
        lambda w: role_change(w.as_admin(), "42"),
        400,
        "用户ID格式不正确",
    ),
    "update-role bad role": (
        lambda w: role_change(w.as_admin(), str(w.member.uuid), role="root"),
        400,
        "参数校验失败",
    ),
    "update-role no token": (
        lambda w: role_change(w.anonymous, str(w.member.uuid)),
        401,
        MISSING_TOKEN,
    ),
    "update-role bad token": (
        lambda w: post(w.anonymous, UPDATE_ROLE, {}, **bearer("garbage")),
        401,
        INVALID_TOKEN,
    ),
    "update-role as agent": (
        lambda w: role_change(w.client_for(w.agent), str(w.member.uuid)),
        403,
        "仅管理员可修改用户角色",
    ),
    "update-role unknown user": (
        lambda w: role_change(w.as_admin(), str(uuid.uuid4())),
        404,
        "目标用户不存在",
    ),
    "update-role wrong method": (
        lambda w: w.as_admin().get(UPDATE_ROLE),
        405,
        METHOD_NOT_ALLOWED,
    ),
    # 6. POST /user/logout
    "logout ok": (lambda w: post(w.as_member(), LOGOUT), 200, "退出登录成功"),
    "logout bad token still ok": (
        lambda w: post(w.anonymous, LOGOUT, **bearer("garbage")),
        200,
        "退出登录成功",
    ),
    "logout no token": (lambda w: post(w.anonymous, LOGOUT), 400, MISSING_TOKEN),
    "logout wrong method": (lambda w: w.as_member().get(LOGOUT), 405, METHOD_NOT_ALLOWED),
    # 7. POST /user/change-password
    "change-password ok": (
        lambda w: change_password(w.as_member(), DEFAULT_PASSWORD, "brand-new-1"),
        200,
        "密码修改成功，请重新登录",
    ),
    "change-password no token": (
        lambda w: change_password(w.anonymous, DEFAULT_PASSWORD, "brand-new-1"),
        400,
        MISSING_TOKEN,
    ),
    "change-password bad json": (
        lambda w: post_raw(w.as_member(), CHANGE_PASSWORD, "{"),
        400,
        BAD_JSON,
    ),
    "change-password short": (
        lambda w: change_password(w.as_member(), DEFAULT_PASSWORD, "12345"),
        400,
        "新密码至少6个字符",
    ),
    "change-password same": (
        lambda w: change_password(w.as_member(), DEFAULT_PASSWORD, DEFAULT_PASSWORD),
        400,
        "新密码不能与当前密码相同",
    ),
    "change-password bad token": (
        lambda w: post(w.anonymous, CHANGE_PASSWORD, {}, **bearer("garbage")),
        401,
        INVALID_TOKEN,
    ),
    "change-password wrong current": (
        lambda w: change_password(w.as_member(), "not-my-password", "brand-new-1"),
        401,
        "当前密码错误",
    ),
    "change-password disabled": (
        lambda w: change_password(as_disabled_member(w), DEFAULT_PASSWORD, "brand-new-1"),
        403,
        "账号已被禁用",
    ),
    "change-password wrong method": (
        lambda w: w.as_member().get(CHANGE_PASSWORD),
        405,
        METHOD_NOT_ALLOWED,
    ),
    # The documents' and paragraphs' routes
    "rewrite_docx no token": (
        lambda w: post(w.anonymous, "/rewrite/rewrite_docx"),
        401,
        MISSING_TOKEN,
    ),
    "rewrite_docx json": (
        lambda w: post(w.as_member(), "/rewrite/rewrite_docx", {"rewrite_type": "0"}),
        400,
        "请求体格式错误，应为 multipart/form-data（file、rewrite_type）",
    ),
    "rewrite_state unknown": (
        lambda w: post(w.as_member(), "/rewrite/rewrite_state", {"order_id": "DOC1"}),
        404,
        "订单不存在",
    ),
    "rewrite_paragraph wrong method": (
        lambda w: w.as_member().get("/rewrite/rewrite_paragraph"),
        405,
        METHOD_NOT_ALLOWED,
    ),
    "words_count member": (
        lambda w: w.as_member().get("/rewrite/words_count"),
        403,
        "仅管理员可查看字数统计",
    ),
    # Paths no route claims
    "unknown path get": (lambda w: w.anonymous.get("/user/nope"), 404, NOT_FOUND),
    "unknown path post": (lambda w: post(w.anonymous, "/user/nope"), 404, NOT_FOUND),
    "unknown path with a token": (lambda w: w.as_admin().delete("/user/nope"), 404, NOT_FOUND),
    "under otp": (lambda w: post(w.anonymous, "/otp/extra"), 404, NOT_FOUND),
    "bare user": (lambda w: w.anonymous.get("/user"), 404, NOT_FOUND),
    "under rewrite": (lambda w: post(w.anonymous, "/rewrite/rewrite_pdf"), 404, NOT_FOUND),
    "under alipay": (lambda w: w.anonymous.get("/alipay/refund"), 404, NOT_FOUND),
    "under wechatpay": (lambda w: post(w.anonymous, "/wechatpay/refund"), 404, NOT_FOUND),
}


@pytest.mark.parametrize(("call", "status", "message"), CASES.values(), ids=CASES.keys())
def test_every_route_answers_in_the_envelope(world, call, status, message):
    response = call(world)

    if status >= 400:
        assert_refused(response, status, message)
    else:
        assert_envelope(response, status, message)


def test_a_missing_or_invalid_token_carries_a_bearer_challenge(api_client):
    for authorization in ({}, bearer("garbage")):
        response = api_client.get(USER_LIST, **authorization)

        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_json_body_that_is_no_object_is_400_in_the_envelope(api_client):
    response = post_raw(api_client, LOGIN, "[1, 2]")

    assert_envelope(response, 400)


def test_a_form_body_is_400_bad_json(api_client):
    response = api_client.post(LOGIN, {"username": "alice", "password": "x"})

    assert_refused(response, 400, BAD_JSON)


def test_the_portal_keeps_its_own_error_shape(api_client):
    bad_json = post_raw(api_client, PORTAL_LOGIN, "{")
    unknown = api_client.get("/api/nope")

    assert bad_json.json() == {"detail": BAD_JSON}
    assert unknown.json() == {"detail": NOT_FOUND}


@pytest.mark.parametrize("path", ["/rewrite/nope", "/alipay/notify/x", "/user/nope"])
def test_an_unknown_path_is_json_with_debug_on_too(api_client, settings, path):
    settings.DEBUG = True

    response = api_client.get(path)

    assert response["Content-Type"].startswith("application/json")
    assert_refused(response, 404, NOT_FOUND)
