"""Staff set a temporary password; until its owner changes it, their tokens reach nothing else."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.accounts.helpers import CHANGE_PASSWORD, login
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.rewriting_accounts.helpers import CHANGE_PASSWORD as REWRITING_CHANGE_PASSWORD
from tests.rewriting_accounts.helpers import LOGIN as REWRITING_LOGIN
from tests.rewriting_accounts.helpers import bearer, post

pytestmark = pytest.mark.django_db


def temporary_password(console, user) -> str:
    url = reverse("admin:accounts_user_temporary_password", args=[user.pk])
    page = console.post(url)
    assert page.status_code == 200
    [password] = re.findall(
        r'<code class="temporary-password">([^<]+)</code>', page.content.decode()
    )
    return password


def test_staff_get_a_password_to_pass_on_once_and_the_old_sessions_end(console, api_client):
    customer = UserFactory()
    old_token = login(api_client, customer.email, DEFAULT_PASSWORD).json()["access_token"]

    password = temporary_password(console, customer)

    customer.refresh_from_db()
    assert len(password) == 12 and customer.check_password(password)
    assert customer.password_change_required is True
    assert api_client.get("/api/auth/me", **bearer(old_token)).status_code == 401
    page = console.get(reverse("admin:accounts_user_change", args=[customer.pk]))
    assert password not in page.content.decode()  # shown that once, stored only hashed


def test_a_portal_token_reaches_only_the_password_change_until_it_is_changed(console, api_client):
    customer = UserFactory()
    password = temporary_password(console, customer)
    token = login(api_client, customer.email, password).json()["access_token"]

    refused = api_client.get("/api/auth/me", **bearer(token))
    assert (refused.status_code, refused.json()) == (403, {"detail": "请先修改临时密码"})
    body = {"old_password": password, "new_password": "a-new-password-1"}
    assert api_client.post(CHANGE_PASSWORD, body, format="json", **bearer(token)).status_code == 200

    customer.refresh_from_db()
    assert customer.password_change_required is False
    fresh = login(api_client, customer.email, "a-new-password-1").json()["access_token"]
    assert api_client.get("/api/auth/me", **bearer(fresh)).status_code == 200


def test_a_rewriting_token_is_refused_in_the_envelope_until_the_change(console, api_client):
    customer = UserFactory(username="xiaoming")
    password = temporary_password(console, customer)
    session = post(api_client, REWRITING_LOGIN, {"username": "xiaoming", "password": password})
    token = session.json()["data"]["session"]["access_token"]

    refused = api_client.get("/points/balance", **bearer(token))
    assert refused.status_code == 403
    assert (refused.json()["code"], refused.json()["message"]) == (403, "请先修改临时密码")
    changed = post(
        api_client,
        REWRITING_CHANGE_PASSWORD,
        {"current_password": password, "new_password": "secret456"},
        **bearer(token),
    )
    assert changed.status_code == 200


def test_only_staff_set_one_and_only_by_post(console):
    customer = UserFactory()
    url = reverse("admin:accounts_user_temporary_password", args=[customer.pk])
    member = Client()
    member.force_login(UserFactory(role=Role.USER))

    assert console.get(url).status_code == 403
    assert member.post(url).status_code == 302  # to the console's login
    customer.refresh_from_db()
    assert customer.password_change_required is False
    page = console.get(reverse("admin:accounts_user_change", args=[customer.pk])).content.decode()
    assert "设置临时密码</button>" in page
