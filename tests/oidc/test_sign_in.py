"""The customer's sign-in for the authorization page: proven, enabled accounts only, through the
one lockout of every way in."""

from urllib.parse import unquote

import pytest
from django.test import Client as Browser

from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.oidc.flows import authorization_params

pytestmark = pytest.mark.django_db


def sign_in(browser: Browser, email: str, password: str = DEFAULT_PASSWORD, next_url: str = ""):
    return browser.post("/oauth/login/", {"email": email, "password": password, "next": next_url})


def test_the_authorization_page_sends_a_stranger_to_sign_in_and_back(issued, customer):
    browser = Browser()
    authorize = browser.get("/oauth/authorize", authorization_params(issued))
    next_url = unquote(authorize["Location"].split("next=", 1)[1])

    page = browser.get(authorize["Location"])
    signed_in = sign_in(browser, customer.email, next_url=next_url)
    approval = browser.get(signed_in["Location"])

    assert authorize.status_code == 302
    assert authorize["Location"].startswith("/oauth/login/?next=")
    assert "登录云梦镜像" in page.content.decode()
    assert signed_in.status_code == 302
    assert signed_in["Location"].startswith("/oauth/authorize?")
    assert approval.status_code == 200
    assert "同意授权" in approval.content.decode()


def test_the_sign_in_goes_back_to_the_authorization_page_only(customer):
    answer = sign_in(Browser(), customer.email, next_url="https://evil.example.com/")

    assert answer.status_code == 200
    assert "已登录" in answer.content.decode()


def test_a_wrong_password_is_refused(customer):
    answer = sign_in(Browser(), customer.email, password="wrong-password")

    assert answer.status_code == 401
    assert "邮箱或密码错误" in answer.content.decode()


def test_an_account_no_code_has_proven_may_not_sign_in(db):
    unproven = UserFactory(email_verified_at=None, phone=None)

    answer = sign_in(Browser(), unproven.email)

    assert answer.status_code == 403
    assert "尚未验证" in answer.content.decode()


def test_a_proven_login_phone_is_proof_enough(db):
    by_phone = UserFactory(email_verified_at=None, phone="+8613800138000")

    assert sign_in(Browser(), by_phone.email).status_code == 200


def test_a_disabled_account_may_not_sign_in(db):
    disabled = UserFactory(is_active=False)

    answer = sign_in(Browser(), disabled.email)

    assert answer.status_code == 403
    assert "账号已被禁用" in answer.content.decode()


def test_failed_sign_ins_lock_the_account_as_everywhere_else(customer, settings, throttle_rates):
    settings.LOGIN_FAILURE_LIMIT = 3
    throttle_rates["login"] = "100/min"
    browser = Browser()

    failures = [sign_in(browser, customer.email, password="wrong").status_code for _ in range(3)]
    locked = sign_in(browser, customer.email)

    # The form login's failure that reaches the limit is answered by axes's lockout page already.
    assert failures == [401, 401, 429]
    assert locked.status_code == 429
    page = locked.content.decode()  # the customer's page, not the console's
    assert "登录失败次数过多" in page and "/admin/" not in page
    assert locked["Retry-After"] == "900"
    # The portal's API counts the same failures.
    api = Browser().post(
        "/api/auth/login",
        {"email": customer.email, "password": DEFAULT_PASSWORD},
        content_type="application/json",
    )
    assert api.status_code == 429


def test_a_customers_session_opens_nothing_of_the_api(customer):
    browser = Browser()
    sign_in(browser, customer.email)

    assert browser.get("/api/users/me").status_code == 401


def test_the_sign_in_page_is_throttled(throttle_rates):
    throttle_rates["login"] = "1/min"
    browser = Browser()

    assert browser.get("/oauth/login/").status_code == 200
    throttled = browser.get("/oauth/login/")
    assert throttled.status_code == 429
    assert "请求过于频繁" in throttled.content.decode()
