"""The staff console for users: who gets in, search and filters, roles, disabling."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import LoginSession, Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def change_form(user: User, **overrides) -> dict:
    form = {
        "username": user.username or "",
        "phone": user.phone or "",
        "role": user.role,
        "rate": str(user.rate),
        "is_active": "on" if user.is_active else "",
        "full_name": user.full_name or "",
        "phone_number": user.phone_number or "",
        "avatar_url": user.avatar_url or "",
        "bio": user.bio or "",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value != ""}


def test_only_the_admin_role_opens_the_console():
    for role in (Role.USER, Role.AGENT):
        client = Client()
        client.force_login(UserFactory(role=role))
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/admin/login/" in response.url
    client = Client()
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_search_users_by_email_username_and_phone(console):
    UserFactory(email="alice@example.com", username="alice_w", phone="+8613800000001")
    UserFactory(email="bob@example.com", username="bob_z", phone="+8613900000002")
    url = reverse("admin:accounts_user_changelist")
    for term in ("alice@", "alice_w", "13800000001"):
        page = console.get(url, {"q": term}).content.decode()
        assert "alice@example.com" in page
        assert "bob@example.com" not in page


def test_staff_filter_users_by_role_and_status(console):
    UserFactory(email="agent@example.com", role=Role.AGENT)
    UserFactory(email="off@example.com", is_active=False)
    url = reverse("admin:accounts_user_changelist")
    agents = console.get(url, {"role__exact": "agent"}).content.decode()
    assert "agent@example.com" in agents
    assert "off@example.com" not in agents
    inactive = console.get(url, {"is_active__exact": "0"}).content.decode()
    assert "off@example.com" in inactive
    assert "agent@example.com" not in inactive


def test_staff_change_a_role(console):
    customer = UserFactory(email="c@example.com")
    url = reverse("admin:accounts_user_change", args=[customer.pk])
    response = console.post(url, change_form(customer, role="agent"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.role == Role.AGENT
    assert customer.updated_at is not None


def test_staff_set_a_rate_on_the_users_page_and_see_it_in_the_list(console):
    customer = UserFactory(email="c@example.com")
    url = reverse("admin:accounts_user_change", args=[customer.pk])

    assert console.post(url, change_form(customer, rate="2.125")).status_code == 302

    customer.refresh_from_db()
    assert customer.rate == Decimal("2.125")
    listing = console.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert '<th scope="col" class="column-rate">' in listing
    assert '<td class="field-rate">2.125</td>' in listing


@pytest.mark.parametrize(
    ("rate", "error"),
    [("-1", "费率不能小于0"), ("10.5", "费率不能超过10"), ("1.2345", "确认小数不超过 3 位")],
)
def test_staff_cannot_set_a_rate_out_of_range(console, rate, error):
    customer = UserFactory(email="c@example.com")
    url = reverse("admin:accounts_user_change", args=[customer.pk])

    response = console.post(url, change_form(customer, rate=rate))

    assert response.status_code == 200
    assert error in response.content.decode()
    customer.refresh_from_db()
    assert customer.rate == 1


def test_promoted_user_opens_the_console(console):
    customer = UserFactory(email="c@example.com")
    url = reverse("admin:accounts_user_change", args=[customer.pk])
    console.post(url, change_form(customer, role="admin"))
    client = Client()
    client.force_login(User.objects.get(pk=customer.pk))
    assert client.get(reverse("admin:index")).status_code == 200


def test_disabling_in_the_form_ends_sessions(console, make_token, api_client):
    customer = UserFactory(email="c@example.com")
    token = make_token(customer)
    url = reverse("admin:accounts_user_change", args=[customer.pk])
    response = console.post(url, change_form(customer, is_active=""))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.is_active is False
    assert not LoginSession.objects.filter(user=customer, revoked_at__isnull=True).exists()
    me = api_client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 403
    assert me.json() == {"detail": "账号已被禁用"}


def test_disable_and_enable_actions(console, make_token, api_client):
    customer = UserFactory(email="c@example.com")
    make_token(customer)
    url = reverse("admin:accounts_user_changelist")
    console.post(url, {"action": "disable_accounts", "_selected_action": [customer.pk]})
    customer.refresh_from_db()
    assert customer.is_active is False
    assert not LoginSession.objects.filter(user=customer, revoked_at__isnull=True).exists()
    console.post(url, {"action": "enable_accounts", "_selected_action": [customer.pk]})
    customer.refresh_from_db()
    assert customer.is_active is True


def test_the_last_admin_keeps_the_admin_role(console, staff):
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    response = console.post(url, change_form(staff, role="user"))
    assert response.status_code == 200
    assert "平台至少需要保留一位启用的管理员" in response.content.decode()
    staff.refresh_from_db()
    assert staff.role == Role.ADMIN


def test_the_last_admin_cannot_be_disabled_by_the_action(console, staff):
    url = reverse("admin:accounts_user_changelist")
    console.post(url, {"action": "disable_accounts", "_selected_action": [staff.pk]})
    staff.refresh_from_db()
    assert staff.is_active is True


def test_an_admin_may_step_down_when_another_remains(console, staff):
    UserFactory(role=Role.ADMIN)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    response = console.post(url, change_form(staff, role="user"))
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.role == Role.USER


def test_staff_add_a_user(console, api_client):
    url = reverse("admin:accounts_user_add")
    response = console.post(
        url,
        {
            "email": "New@Example.com",
            "role": "user",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(email="new@example.com")
    assert created.password.startswith("argon2$argon2id$")
    login = api_client.post(
        "/api/auth/login",
        {"email": "new@example.com", "password": "a-long-password-1"},
        format="json",
    )
    assert login.status_code == 200


def test_staff_cannot_add_a_taken_email(console):
    UserFactory(email="taken@example.com")
    response = console.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "TAKEN@example.com",
            "role": "user",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )
    assert response.status_code == 200
    assert "该邮箱已被注册" in response.content.decode()
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_a_users_page_shows_invite_code_inviter_and_invitees(console):
    agent = UserFactory(email="agent@example.com", username="代理甲", role=Role.AGENT)
    invitees = [
        UserFactory(email=f"i{n}@example.com", username=f"invitee{n}", invited_by=agent)
        for n in range(3)
    ]
    UserFactory(email="stranger@example.com", username="stranger")

    page = console.get(reverse("admin:accounts_user_change", args=[agent.pk])).content.decode()
    invitee_page = console.get(reverse("admin:accounts_user_change", args=[invitees[0].pk]))

    assert agent.invite_code in page
    assert "共 3 人" in page
    assert all(invitee.username in page for invitee in invitees)
    assert reverse("admin:accounts_user_change", args=[invitees[1].pk]) in page
    assert "stranger" not in page
    assert "agent@example.com" in invitee_page.content.decode()


def test_staff_find_a_user_by_invite_code(console):
    wanted = UserFactory(email="wanted@example.com")
    UserFactory(email="other@example.com")

    response = console.get(reverse("admin:accounts_user_changelist"), {"q": wanted.invite_code})

    assert "wanted@example.com" in response.content.decode()
    assert "other@example.com" not in response.content.decode()
