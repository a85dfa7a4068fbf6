"""14. POST /points/refund: a failed spend of the caller's comes back, once."""

from decimal import Decimal

import pytest

from points.models import PointsTransaction
from tests.points.helpers import (
    ALREADY_REFUNDED,
    NOT_A_SPEND,
    NOT_FOUND,
    REFUND,
    SUCCESSFUL,
    ZERO_SPEND,
    account_of,
    failed_spend,
    recharge,
    spend,
)
from tests.rewriting_accounts.helpers import BAD_JSON, assert_ok, assert_refused, post, post_raw

pytestmark = pytest.mark.django_db

REFUNDED = "积分返还成功"


def refund(client, transaction_id):
    return post(client, REFUND, {"transaction_id": transaction_id})


def test_a_failed_spend_comes_back(client_for, member):
    recharge(member, "460")
    failed = failed_spend(member, "3.6")

    data = assert_ok(refund(client_for(member), failed.pk), REFUNDED)

    assert data == {"success": True, "points_balance": 460}
    assert type(data["points_balance"]) is int
    assert account_of(member).balance == Decimal("460")
    returned = PointsTransaction.objects.get(refund_of=failed)
    assert (returned.transaction_type, returned.amount, returned.reference_id) == (
        "refund",
        Decimal("3.6"),
        f"refund:{failed.pk}",
    )
    assert returned.description == f"任务失败返还积分（原交易ID: {failed.pk}）"
    failed.refresh_from_db()
    assert failed.description == "AI降重任务消费（已返还积分）"


def test_the_answer_has_the_balance_after_the_refund(client_for, member):
    recharge(member, "456.4")
    spend(member, "6.4")
    failed = failed_spend(member, "3.6")

    data = assert_ok(refund(client_for(member), failed.pk), REFUNDED)

    assert data == {"success": True, "points_balance": 450}


def test_a_fractional_balance_is_a_number(client_for, member):
    recharge(member, "456.4")
    failed = failed_spend(member, "3.6")

    response = refund(client_for(member), failed.pk)

    assert assert_ok(response, REFUNDED) == {"success": True, "points_balance": 456.4}
    assert b'"points_balance":456.4' in response.content


@pytest.mark.parametrize("written", [lambda pk: str(pk), lambda pk: float(pk)])
def test_an_id_as_text_or_whole_float_is_accepted(client_for, member, written):
    recharge(member, "10")
    failed = failed_spend(member, "3")

    assert_ok(refund(client_for(member), written(failed.pk)), REFUNDED)


def test_a_second_refund_is_refused(client_for, member):
    recharge(member, "10")
    failed = failed_spend(member, "3")
    client = client_for(member)
    assert_ok(refund(client, failed.pk), REFUNDED)

    assert_refused(refund(client, failed.pk), 400, ALREADY_REFUNDED)

    assert account_of(member).balance == Decimal("10")
    assert PointsTransaction.objects.filter(refund_of=failed).count() == 1


def test_a_successful_spend_is_refused(client_for, member):
    recharge(member, "10")
    row = spend(member, "3")

    assert_refused(refund(client_for(member), row.pk), 400, SUCCESSFUL)

    assert account_of(member).balance == Decimal("7")


def test_a_recharge_is_refused(client_for, member):
    row = recharge(member, "10")

    assert_refused(refund(client_for(member), row.pk), 400, NOT_A_SPEND)


def test_a_refund_is_refused(client_for, member):
    recharge(member, "10")
    failed = failed_spend(member, "3")
    client = client_for(member)
    assert_ok(refund(client, failed.pk), REFUNDED)
    returned = PointsTransaction.objects.get(refund_of=failed)

    assert_refused(refund(client, returned.pk), 400, NOT_A_SPEND)


def test_a_spend_of_nothing_is_refused(client_for, member):
    row = failed_spend(member, "0")

    assert_refused(refund(client_for(member), row.pk), 400, ZERO_SPEND)


def test_someone_elses_spend_is_not_found(client_for, member, other):
    recharge(other, "10")
    theirs = failed_spend(other, "3")

    assert_refused(refund(client_for(member), theirs.pk), 404, NOT_FOUND)

    assert account_of(other).balance == Decimal("7")
    assert not PointsTransaction.objects.filter(refund_of=theirs).exists()


@pytest.mark.parametrize("transaction_id", [999999, 2**63 - 1, 2**63, 2**70, str(2**64), 1e20])
def test_a_missing_id_is_not_found(client_for, member, transaction_id):
    assert_refused(refund(client_for(member), transaction_id), 404, NOT_FOUND)


@pytest.mark.parametrize(
    "transaction_id", ["abc", 1.5, True, False, [], {}, [1], "", "1.5", "²", "1e3"]
)
def test_an_id_that_is_no_integer_is_400(client_for, member, transaction_id):
    assert_refused(refund(client_for(member), transaction_id), 400, "交易ID必须为整数")


@pytest.mark.parametrize("transaction_id", [0, -3, "-3", 0.0])
def test_an_id_not_above_zero_is_400(client_for, member, transaction_id):
    assert_refused(refund(client_for(member), transaction_id), 400, "交易ID必须大于0")


@pytest.mark.parametrize("body", [{}, {"transaction_id": None}])
def test_a_missing_id_is_400(client_for, member, body):
    assert_refused(post(client_for(member), REFUND, body), 400, "缺少交易ID参数")


@pytest.mark.parametrize("raw", ["{not json", "transaction_id=1", '{"transaction_id": 1'])
def test_a_body_that_is_not_json_is_400(client_for, member, raw):
    assert_refused(post_raw(client_for(member), REFUND, raw), 400, BAD_JSON)


def test_a_form_body_is_400(client_for, member):
    response = client_for(member).post(REFUND, {"transaction_id": 1})

    assert_refused(response, 400, BAD_JSON)
