"""The staff console: a user's points, the recharge / correction page, the read-only ledger."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from points.models import PointsAccount, PointsTransaction
from tests.points.helpers import account_of, failed_spend, recharge

pytestmark = pytest.mark.django_db


def change_points_url(user) -> str:
    return reverse("admin:points_change", args=[user.pk])


def form_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


# --- the user's page -----------------------------------------------------------------------------


def test_user_page_shows_the_balance_and_the_link(console, member):
    recharge(member, "12.5")

    response = console.get(reverse("admin:accounts_user_change", args=[member.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "12.500" in page
    assert f'href="{change_points_url(member)}"' in page
    assert "充值 / 调整积分" in page


def test_user_page_of_someone_without_points_shows_zero(console, member):
    response = console.get(reverse("admin:accounts_user_change", args=[member.pk]))

    assert response.status_code == 200
    assert f'0 &nbsp; <a class="button" href="{change_points_url(member)}"' in (
        response.content.decode()
    )


# --- the change-points page ----------------------------------------------------------------------


def test_change_points_page_renders(console, member):
    recharge(member, "7")

    response = console.get(change_points_url(member))

    assert response.status_code == 200
    assert response.context["target"] == member
    assert response.context["balance"] == Decimal("7")
    assert "当前余额：<strong>7.000</strong>" in response.content.decode()
    assert 'name="amount"' in response.content.decode()


def test_change_points_of_an_unknown_user_is_404(console):
    assert console.get(reverse("admin:points_change", args=[987654])).status_code == 404


def test_a_positive_amount_is_a_recharge_by_the_staff_member(console, staff, member):
    response = console.post(
        change_points_url(member),
        {
            "kind": "recharge",
            "amount": "100.5",
            "description": "线下转账",
            "reference_id": "order-9",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:accounts_user_change", args=[member.pk])
    row = member.points_transactions.get()
    assert (row.transaction_type, row.amount, row.balance_after) == (
        "recharge",
        Decimal("100.5"),
        Decimal("100.5"),
    )
    assert (row.description, row.reference_id, row.recorded_by) == ("线下转账", "order-9", staff)
    assert account_of(member).balance == Decimal("100.5")
    [message] = get_messages(response.wsgi_request)
    assert str(message) == f"已为 {member} 记录 100.500 积分，当前余额 100.500"


def test_a_recharge_without_description_says_admin_recharge(console, member):
    console.post(change_points_url(member), {"kind": "recharge", "amount": "5", "description": ""})

    row = member.points_transactions.get()
    assert (row.description, row.reference_id, row.is_correction) == ("管理员充值", None, False)


def test_a_negative_amount_with_a_reason_is_a_correction(console, staff, member):
    recharge(member, "10")

    response = console.post(
        change_points_url(member), {"kind": "correction", "amount": "-4", "description": "误充扣回"}
    )

    assert response.status_code == 302
    row = member.points_transactions.latest("id")
    assert (row.amount, row.balance_after, row.description, row.recorded_by) == (
        Decimal("-4"),
        Decimal("6"),
        "误充扣回",
        staff,
    )
    assert (row.transaction_type, row.is_correction, row.kind) == ("recharge", True, "更正")


def test_a_negative_amount_without_a_reason_is_refused(console, member):
    recharge(member, "10")

    response = console.post(
        change_points_url(member), {"kind": "correction", "amount": "-4", "description": " "}
    )

    assert response.status_code == 200
    assert form_errors(response, "description") == ["更正须写明原因"]
    assert account_of(member).balance == Decimal("10")
    assert member.points_transactions.count() == 1


def test_a_correction_below_the_balance_is_refused_with_the_ledgers_message(console, member):
    recharge(member, "3.6")

    response = console.post(
        change_points_url(member), {"kind": "correction", "amount": "-5", "description": "扣回"}
    )

    assert response.status_code == 200
    assert form_errors(response, "amount") == ["积分余额不足，当前余额: 3.6"]
    assert account_of(member).balance == Decimal("3.6")
    assert member.points_transactions.count() == 1


def test_a_deduction_cannot_pass_as_a_recharge(console, member):
    recharge(member, "10")

    response = console.post(
        change_points_url(member), {"kind": "recharge", "amount": "-10", "description": ""}
    )

    assert response.status_code == 200
    assert form_errors(response, "amount") == ["充值积分必须大于0；扣减请选择“更正”并写明原因"]
    assert member.points_transactions.count() == 1


def test_a_correction_upward_needs_its_reason_too_and_is_told_apart_in_the_ledger(console, member):
    refused = console.post(
        change_points_url(member), {"kind": "correction", "amount": "2", "description": ""}
    )
    assert form_errors(refused, "description") == ["更正须写明原因"]
    console.post(
        change_points_url(member),
        {"kind": "correction", "amount": "2", "description": "上次少充了2分"},
    )
    recharge(member, "5")

    ledger = console.get(reverse("admin:points_pointstransaction_changelist")).content.decode()
    corrections = console.get(
        reverse("admin:points_pointstransaction_changelist"), {"is_correction__exact": "1"}
    ).content.decode()

    assert ledger.count('<td class="field-kind">更正</td>') == 1
    assert ledger.count('<td class="field-kind">充值</td>') == 1
    assert "上次少充了2分" in corrections and "管理员充值" not in corrections


def test_the_form_has_no_reason_filled_in_for_the_staff_member(console, member):
    page = console.get(change_points_url(member)).content.decode()

    assert 'value="管理员充值"' not in page


def test_a_zero_amount_is_refused(console, member):
    response = console.post(change_points_url(member), {"amount": "0", "description": "x"})

    assert response.status_code == 200
    assert form_errors(response, "amount") == ["积分不能为0"]
    assert not member.points_transactions.exists()


@pytest.mark.parametrize("amount", ["abc", "1.2345", "", "NaN"])
def test_an_amount_that_is_no_points_is_refused(console, member, amount):
    response = console.post(change_points_url(member), {"amount": amount, "description": "x"})

    assert response.status_code == 200
    assert form_errors(response, "amount")
    assert not member.points_transactions.exists()


def test_the_change_points_page_is_for_staff_only(member):
    client = Client()
    client.force_login(member)

    response = client.get(change_points_url(member))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_non_staff_post_changes_nothing(member):
    client = Client()
    client.force_login(member)

    response = client.post(change_points_url(member), {"amount": "1000", "description": "x"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not member.points_transactions.exists()


# --- the ledger's own pages ----------------------------------------------------------------------


def test_transactions_changelist_renders(console, member):
    recharge(member, "10")
    failed_spend(member, "3")

    response = console.get(reverse("admin:points_pointstransaction_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    assert member.email in response.content.decode()


def test_transactions_cannot_be_added(console):
    response = console.get(reverse("admin:points_pointstransaction_add"))

    assert response.status_code == 403


def test_a_transaction_page_is_read_only(console, member):
    row = recharge(member, "10")
    url = reverse("admin:points_pointstransaction_change", args=[row.pk])

    viewed = console.get(url)
    posted = console.post(url, {"amount": "99999", "description": "改了"})

    assert viewed.status_code == 200
    assert posted.status_code == 403
    row.refresh_from_db()
    assert (row.amount, row.description) == (Decimal("10"), "管理员充值")


def test_a_transaction_cannot_be_deleted(console, member):
    row = recharge(member, "10")
    url = reverse("admin:points_pointstransaction_delete", args=[row.pk])

    assert console.get(url).status_code == 403
    assert console.post(url, {"post": "yes"}).status_code == 403
    assert PointsTransaction.objects.filter(pk=row.pk).exists()


def test_accounts_changelist_renders_with_the_link(console, member):
    recharge(member, "10")

    response = console.get(reverse("admin:points_pointsaccount_changelist"))

    assert response.status_code == 200
    assert f'href="{change_points_url(member)}"' in response.content.decode()


def test_an_account_cannot_be_changed(console, member):
    recharge(member, "10")
    url = reverse("admin:points_pointsaccount_change", args=[member.pk])

    assert console.post(url, {"balance": "99999", "held": "0"}).status_code == 403
    assert PointsAccount.objects.get(user=member).balance == Decimal("10")


def test_the_ledger_pages_are_for_staff_only(member):
    client = Client()
    client.force_login(member)

    response = client.get(reverse("admin:points_pointstransaction_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
