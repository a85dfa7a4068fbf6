"""One lockout for every way in: both APIs' logins, the OAuth2 password form, the console and the
browsable API count failures together, per account and per client address, and once locked
refuse even the right password everywhere."""

from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.lockout import LOCKED_OUT
from accounts.models import LoginFailure, LoginSession, Role, VerificationChannel
from accounts.verification import verification_code_send
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 3
PHONE = "+8613800138000"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FAILURE_LIMIT = LIMIT
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 2 * LIMIT + 1


@pytest.fixture
def member(db):
    """A customer of both products who is also staff, so every form would let them in."""
    return UserFactory(email="lee@example.com", username="lee", phone=PHONE, role=Role.ADMIN)


def portal_login(email: str, password: str, **extra):
    body = {"email": email, "password": password}
    return APIClient().post("/api/auth/login", body, format="json", **extra)


def token_form(email: str, password: str, **extra):
    return APIClient().post("/api/auth/token", {"username": email, "password": password}, **extra)


def rewriting_login(username: str, password: str, **extra):
    body = {"username": username, "password": password}
    return APIClient().post("/user/login", body, format="json", **extra)


def phone_login(code: str, **extra):
    body = {"phone": PHONE, "verification_code": code}
    return APIClient().post("/user/login", body, format="json", **extra)


def form_login(path: str, name: str, password: str, **extra) -> tuple[Client, object]:
    client = Client()
    response = client.post(path, {"username": name, "password": password}, **extra)
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def texted_login_code() -> str:
    codes: list[str] = []
    verification_code_send(
        channel=VerificationChannel.SMS,
        address=PHONE,
        purpose="login",
        client_ip="10.8.8.8",
        ttl=timedelta(minutes=5),
        deliver=codes.append,
    )
    return codes[0]


def assert_every_way_in_refuses(member) -> None:
    """The right password (or code) everywhere, and nothing lets the account in."""
    assert portal_login(member.email, DEFAULT_PASSWORD).status_code == 429
    assert token_form(member.email, DEFAULT_PASSWORD).json() == {"detail": LOCKED_OUT}
    locked = rewriting_login("lee", DEFAULT_PASSWORD)
    assert (locked.status_code, locked.json()["message"]) == (429, LOCKED_OUT)
    assert phone_login(texted_login_code()).status_code == 429
    for path in ("/admin/login/", "/api-auth/login/"):
        client, response = form_login(path, member.email, DEFAULT_PASSWORD)
        assert response.status_code == 429, path
        assert "登录失败次数过多" in response.content.decode()
        assert not signed_in(client)
    assert not LoginSession.objects.filter(user=member).exists()


def test_a_lock_earned_on_the_api_refuses_every_form_login_too(member):
    for _ in range(LIMIT):
        assert portal_login(member.email, "wrong-password").status_code == 401

    assert_every_way_in_refuses(member)


@pytest.mark.parametrize("path", ["/admin/login/", "/api-auth/login/"])
def test_failures_at_a_form_login_lock_the_apis(member, path):
    for _ in range(LIMIT):
        client, _ = form_login(path, member.email, "wrong-password")
        assert not signed_in(client)

    assert_every_way_in_refuses(member)


def test_every_name_of_an_account_and_every_way_in_count_together(member):
    assert rewriting_login("LEE", "wrong").status_code == 401
    assert token_form("Lee@Example.com", "wrong").status_code == 401
    assert phone_login("000000").status_code == 401  # a wrong SMS code is a failure too

    assert_every_way_in_refuses(member)


def test_a_client_address_is_locked_after_its_own_limit_whatever_the_accounts(member):
    for n in range(2 * LIMIT + 1):
        assert portal_login(f"nobody{n}@example.com", "guess").status_code == 401

    from_there = portal_login(member.email, DEFAULT_PASSWORD)
    elsewhere = portal_login(member.email, DEFAULT_PASSWORD, REMOTE_ADDR="10.2.2.2")
    _, console = form_login("/admin/login/", member.email, DEFAULT_PASSWORD)

    assert from_there.status_code == 429
    assert console.status_code == 429
    assert elsewhere.status_code == 200


def test_a_success_clears_its_account_not_its_address(member):
    for n in range(2 * LIMIT):
        portal_login(f"nobody{n}@example.com", "guess")
    assert portal_login(member.email, DEFAULT_PASSWORD).status_code == 200

    assert portal_login("nobody@example.com", "guess").status_code == 401
    assert portal_login(member.email, DEFAULT_PASSWORD).status_code == 429


def test_staff_see_the_lock_in_the_console_and_lift_it(member, console):
    for _ in range(LIMIT):
        portal_login(member.email, "wrong-password", REMOTE_ADDR="10.3.3.3")

    page = console.get("/admin/accounts/loginfailure/")
    [row] = LoginFailure.objects.all()
    detail = console.get(f"/admin/accounts/loginfailure/{row.pk}/change/").content.decode()
    lifted = console.post(
        "/admin/accounts/loginfailure/",
        {"action": "lift_locks", "_selected_action": [row.pk]},
        follow=True,
    )

    assert page.status_code == 200
    listed = page.content.decode()
    assert member.email in listed and "失败次数" in listed and "账号已锁定" in listed
    assert "Failed Logins" not in listed and "IP Address" not in listed  # the console is Chinese
    assert "客户端地址" in detail and "User Agent" not in detail and "Attempted" not in detail
    assert "已解除锁定" in lifted.content.decode()
    assert not LoginFailure.objects.exists()
    assert portal_login(member.email, DEFAULT_PASSWORD).status_code == 200


# --- sessions from the form logins -----------------------------------------------------------


@pytest.fixture
def customer(db):
    return UserFactory(email="customer@example.com")


def test_the_browsable_apis_login_is_for_staff_only(customer):
    client, response = form_login("/api-auth/login/", customer.email, DEFAULT_PASSWORD)

    assert response.status_code == 200  # the form again, with its error
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/auth/me"), ("get", "/points/balance"), ("post", "/api/tickets")],
)
def test_a_customers_session_cookie_opens_no_api(customer, method, path):
    client = Client()
    client.force_login(customer)

    response = getattr(client, method)(path, content_type="application/json")

    assert response.status_code == 401


def test_a_staff_session_explores_the_apis_until_it_ends(staff):
    client = Client()
    client.force_login(staff)
    assert client.get("/api/auth/me").json()["email"] == staff.email

    staff.set_password("another-password-1")
    staff.save()

    assert client.get("/api/auth/me").status_code == 401
    assert client.get("/admin/").status_code == 302  # the console's session ended too


@pytest.mark.parametrize("change", [{"is_active": False}, {"role": Role.USER}])
def test_a_staff_session_stops_opening_the_apis_when_the_account_is_disabled_or_demoted(
    staff, change
):
    UserFactory(role=Role.ADMIN)  # the platform keeps an admin
    client = Client()
    client.force_login(staff)
    for name, value in change.items():
        setattr(staff, name, value)
    staff.save()

    assert client.get("/api/auth/me").status_code == 401
