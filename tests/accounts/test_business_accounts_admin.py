"""The staff console for business accounts: review, assignment, activation, disabling."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import BusinessAccount, Role
from tests.accounts.business_factories import BusinessAccountFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_businessaccount_changelist"
FORM_FIELDS = (
    "status",
    "assigned_email",
    "user_code",
    "company_name",
    "tax_number",
    "certification_info",
    "communication_address",
    "contact_person_name",
    "contact_phone",
)


def change_url(account: BusinessAccount) -> str:
    return reverse("admin:accounts_businessaccount_change", args=[account.pk])


def change_form(account: BusinessAccount, **overrides) -> dict:
    form = {name: getattr(account, name) or "" for name in FORM_FIELDS}
    form.update(overrides)
    return {key: value for key, value in form.items() if value != ""}


def run_action(console: Client, action: str, *accounts: BusinessAccount):
    selected = [str(account.pk) for account in accounts]
    return console.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": selected}, follow=True
    )


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_the_review_columns(console):
    BusinessAccountFactory(
        owner=UserFactory(email="alice@example.com"),
        company_name="爱丽丝科技",
        active=True,
        assigned_email="alice@company.com",
        user_code="ALICE01",
    )

    page = console.get(reverse(CHANGELIST)).content.decode()

    for text in ("alice@example.com", "爱丽丝科技", "已激活", "alice@company.com", "ALICE01"):
        assert text in page


@pytest.mark.parametrize("term", ["alice@", "爱丽丝", "ALICE01"])
def test_search_by_owner_email_company_and_user_code(console, term):
    BusinessAccountFactory(
        owner=UserFactory(email="alice@example.com"), company_name="爱丽丝科技", user_code="ALICE01"
    )
    BusinessAccountFactory(
        owner=UserFactory(email="bob@example.com"), company_name="鲍勃贸易", user_code="BOB01"
    )

    page = console.get(reverse(CHANGELIST), {"q": term}).content.decode()

    assert "alice@example.com" in page
    assert "bob@example.com" not in page


def test_filter_by_status(console):
    BusinessAccountFactory(owner=UserFactory(email="waiting@example.com"))
    BusinessAccountFactory(owner=UserFactory(email="off@example.com"), disabled=True)

    page = console.get(reverse(CHANGELIST), {"status__exact": "disabled"}).content.decode()

    assert "off@example.com" in page
    assert "waiting@example.com" not in page


def test_the_list_costs_the_same_queries_for_more_rows(console, django_assert_max_num_queries):
    BusinessAccountFactory.create_batch(2)
    with django_assert_max_num_queries(100) as few:
        console.get(reverse(CHANGELIST))

    BusinessAccountFactory.create_batch(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        console.get(reverse(CHANGELIST))


def test_staff_cannot_add_or_delete_accounts(console):
    account = BusinessAccountFactory()

    assert console.get(reverse("admin:accounts_businessaccount_add")).status_code == 403
    delete = reverse("admin:accounts_businessaccount_delete", args=[account.pk])
    assert console.get(delete).status_code == 403


def test_only_the_admin_role_opens_business_accounts():
    client = Client()
    client.force_login(UserFactory(role=Role.AGENT))

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


# --- the change form -----------------------------------------------------------------------


def test_filling_both_assignments_activates_and_mails_once(
    console, staff, django_capture_on_commit_callbacks
):
    account = BusinessAccountFactory(owner=UserFactory(email="owner@example.com"))

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            change_url(account),
            change_form(account, assigned_email="biz@company.com", user_code="USER001"),
        )

    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.status, account.assigned_email, account.user_code) == (
        "active",
        "biz@company.com",
        "USER001",
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.com"]
    assert "biz@company.com" in message.body
    assert "USER001" in message.body
    assert {(c.actor_id, c.field, c.old_value, c.new_value) for c in account.changes.all()} == {
        (staff.pk, "assigned_email", None, "biz@company.com"),
        (staff.pk, "user_code", None, "USER001"),
        (staff.pk, "status", "pending", "active"),
    }


def test_setting_active_without_both_assignments_is_a_form_error(
    console, django_capture_on_commit_callbacks
):
    account = BusinessAccountFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            change_url(account),
            change_form(account, status="active", assigned_email="biz@company.com"),
        )

    assert response.status_code == 200
    assert "激活业务账号前需要填写专属邮箱和用户识别码" in response.content.decode()
    account.refresh_from_db()
    assert (account.status, account.assigned_email) == ("pending", None)
    assert account.updated_at is None
    assert not account.changes.exists()
    assert mail.outbox == []


def test_clearing_the_assignment_of_an_active_account_is_a_form_error(console):
    account = BusinessAccountFactory(active=True)
    code = account.user_code

    response = console.post(change_url(account), change_form(account, user_code=""))

    assert response.status_code == 200
    assert "已激活的业务账号不能清空专属邮箱或用户识别码" in response.content.decode()
    account.refresh_from_db()
    assert account.user_code == code


def test_disabling_a_pending_account_is_a_form_error(console):
    account = BusinessAccountFactory()

    response = console.post(change_url(account), change_form(account, status="disabled"))

    assert response.status_code == 200
    assert "业务账号状态不能从「待审核」变为「已禁用」" in response.content.decode()
    account.refresh_from_db()
    assert account.status == "pending"


def test_a_user_code_in_use_is_a_form_error(console):
    BusinessAccountFactory(user_code="USER001")
    account = BusinessAccountFactory()

    response = console.post(change_url(account), change_form(account, user_code="USER001"))

    assert response.status_code == 200
    assert "该用户识别码已被使用" in response.content.decode()
    account.refresh_from_db()
    assert account.user_code is None


def test_an_invalid_assigned_email_is_a_form_error(console):
    account = BusinessAccountFactory()

    response = console.post(
        change_url(account), change_form(account, assigned_email="nope", user_code="USER001")
    )

    assert response.status_code == 200
    account.refresh_from_db()
    assert (account.status, account.user_code) == ("pending", None)


def test_staff_edit_customer_fields_and_the_page_shows_history(console, staff):
    account = BusinessAccountFactory(company_name="旧公司")

    response = console.post(change_url(account), change_form(account, company_name="新公司"))

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.company_name == "新公司"
    assert [(c.actor_id, c.field) for c in account.changes.all()] == [(staff.pk, "company_name")]
    page = console.get(change_url(account)).content.decode()
    assert "旧公司" in page
    assert "staff@example.com" in page


def test_activation_is_saved_when_the_mail_server_fails(
    console, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.accounts.failing_email.FailingEmailBackend"
    account = BusinessAccountFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            change_url(account),
            change_form(account, assigned_email="biz@company.com", user_code="USER001"),
        )

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == "active"


# --- the actions ---------------------------------------------------------------------------


def test_disable_and_enable_actions(console, staff, django_capture_on_commit_callbacks):
    first, second = BusinessAccountFactory.create_batch(2, active=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(console, "disable_business_accounts", first, second)
    assert "已禁用 2 个业务账号" in response.content.decode()
    assert set(BusinessAccount.objects.values_list("status", flat=True)) == {"disabled"}
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(console, "enable_business_accounts", first)
    assert "已启用 1 个业务账号" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("active", "disabled")
    assert [m.to for m in mail.outbox] == [[first.owner.email]]
    assert [(c.actor_id, c.old_value, c.new_value) for c in first.changes.order_by("id")] == [
        (staff.pk, "active", "disabled"),
        (staff.pk, "disabled", "active"),
    ]


def test_enabling_a_pending_account_without_assignment_is_reported(console):
    account = BusinessAccountFactory(owner=UserFactory(email="waiting@example.com"))

    response = run_action(console, "enable_business_accounts", account)

    page = response.content.decode().lower()  # the console capitalises each message
    assert "waiting@example.com：激活业务账号前需要填写专属邮箱和用户识别码" in page
    assert "已启用 0 个业务账号" in page
    account.refresh_from_db()
    assert account.status == "pending"


def test_disabling_a_pending_account_is_reported(console):
    account = BusinessAccountFactory(owner=UserFactory(email="waiting@example.com"))

    response = run_action(console, "disable_business_accounts", account)

    assert "业务账号状态不能从「待审核」变为「已禁用」" in response.content.decode()
    account.refresh_from_db()
    assert account.status == "pending"
