"""The user's page in the console: how the account proves itself, a phone typed by staff, and a
password reset code staff send the customer."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.accounts.helpers import CODE_RE
from tests.accounts.test_admin import change_form
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def send_reset_code(console, user: User):
    url = reverse("admin:accounts_user_password_reset_code", args=[user.pk])
    return console.post(url, follow=True)


def test_the_users_page_says_what_is_proven(console):
    customer = UserFactory(email_verified_at=None, phone="+8613800138000")

    page = console.get(reverse("admin:accounts_user_change", args=[customer.pk])).content.decode()

    assert "验证状态" in page
    assert "邮箱：未验证" in page
    assert "手机号：已绑定 +8613800138000" in page
    assert "发送密码重置验证码" in page


def test_staff_send_a_reset_code_to_the_proven_address(console, api_client):
    customer = UserFactory(email="c@example.com", phone="+8613800138000")

    page = send_reset_code(console, customer).content.decode()
    (code,) = CODE_RE.findall(mail.outbox[-1].body)
    body = {"email": "c@example.com", "verification_code": code, "new_password": "chosen-by-c-1"}
    reset = api_client.post("/api/auth/reset-password", body, format="json")

    assert "已向 c@example.com 发送密码重置验证码" in page
    assert mail.outbox[-1].to == ["c@example.com"]
    assert reset.status_code == 200


def test_without_a_proven_address_the_code_goes_to_the_phone(console, sms_codes):
    customer = UserFactory(email_verified_at=None, phone="+8613800138000")

    page = send_reset_code(console, customer).content.decode()

    assert "已向 +8613800138000 发送密码重置验证码" in page
    assert sms_codes("+8613800138000")
    assert mail.outbox == []


def test_with_neither_staff_are_told_to_set_a_temporary_password(console):
    customer = UserFactory(email_verified_at=None)

    page = send_reset_code(console, customer).content.decode()

    assert "无法发送重置验证码，可为其设置临时密码" in page


def test_a_second_code_within_the_cooldown_is_refused_with_a_message(console):
    customer = UserFactory(email="c@example.com")
    send_reset_code(console, customer)

    page = send_reset_code(console, customer).content.decode()

    assert "验证码发送过于频繁" in page
    assert len(mail.outbox) == 1


def test_sending_a_code_takes_a_post(console, user):
    url = reverse("admin:accounts_user_password_reset_code", args=[user.pk])

    assert console.get(url).status_code == 403


@pytest.mark.parametrize("typed", ["13800138000", "138-0013-8000"])
def test_a_phone_staff_type_is_kept_as_it_signs_in(console, typed):
    customer = UserFactory()
    url = reverse("admin:accounts_user_change", args=[customer.pk])

    response = console.post(url, change_form(customer, phone=typed))

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.phone == "+8613800138000"


def test_staff_cannot_type_someone_elses_phone_or_no_phone(console):
    UserFactory(phone="+8613800138000")
    customer = UserFactory()
    url = reverse("admin:accounts_user_change", args=[customer.pk])

    taken = console.post(url, change_form(customer, phone="13800138000")).content.decode()
    nonsense = console.post(url, change_form(customer, phone="call me")).content.decode()

    assert "该手机号已被其他账号绑定" in taken
    assert "手机号格式不正确" in nonsense
    customer.refresh_from_db()
    assert customer.phone is None
