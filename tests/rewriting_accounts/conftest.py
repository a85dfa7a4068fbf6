"""Fixtures of the rewriting API's account tests: its users, SMS codes read from the log, logins."""

from collections.abc import Callable

import pytest

from accounts.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.rewriting_accounts.helpers import (
    LOGIN,
    MEMBER_PHONE,
    OTP,
    assert_ok,
    point_sms_at_closed_port,
    post,
)


@pytest.fixture
def send_otp(api_client, sms_codes) -> Callable[..., str]:
    """Ask /otp for a code and return the code texted; `phone` as typed, `texted_to` as kept."""

    def send(phone: str, purpose: str = "signup", texted_to: str | None = None) -> str:
        assert_ok(post(api_client, OTP, {"phone": phone, "purpose": purpose}), "验证码发送成功")
        return sms_codes(texted_to or phone)

    return send


@pytest.fixture
def tencent_down(settings):
    """SMS through Tencent, fully configured, at an address where nothing listens."""
    point_sms_at_closed_port(settings)
    return settings


@pytest.fixture
def member(db) -> User:
    """A rewriting customer: username, e-mail and login phone, role user."""
    return UserFactory(username="alice", email="alice@example.com", phone=MEMBER_PHONE)


@pytest.fixture
def rewriting_login(api_client) -> Callable[..., dict]:
    """Log in on /user/login with a username (or e-mail) and password; the answer's data."""

    def log_in(username: str, password: str = DEFAULT_PASSWORD) -> dict:
        response = post(api_client, LOGIN, {"username": username, "password": password})
        return assert_ok(response, "登录成功")

    return log_in
