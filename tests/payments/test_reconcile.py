"""The background job: lost notifications recovered by asking, abandoned orders closed."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from payments import tasks
from payments.models import NotificationOutcome, Order, OrderStatus, PaymentNotification
from points.models import PointsTransaction
from tests.factories import UserFactory
from tests.http_servers import closed_port_url
from tests.payments.helpers import alipay_paid, bearer

pytestmark = pytest.mark.django_db

ASKED = "alipay.trade.query"


@pytest.fixture
def customer(db):
    return UserFactory(rate=Decimal("1"))


@pytest.fixture
def token(customer, make_token) -> str:
    return make_token(customer)


def later(**delta):
    return time_machine.travel(timezone.now() + timedelta(**delta), tick=True)


def run_job() -> None:
    tasks.reconcile_pending_orders()


def status_of(order: Order) -> str:
    order.refresh_from_db()
    return order.status


def test_a_lost_alipay_notification_is_recovered_by_the_job(client, token, alipay, customer):
    order = alipay_paid(client, token)
    alipay.pay_silently(order.out_trade_no)

    run_job()
    assert alipay.requests_for(ASKED) == []  # too soon: the notification may still come
    with later(minutes=4):
        run_job()
        run_job()

    assert status_of(order) == OrderStatus.PAID
    [credit] = PointsTransaction.objects.filter(user=customer)
    assert credit.reference_id == order.out_trade_no
    kept = PaymentNotification.objects.get()
    assert (kept.source, kept.outcome) == ("query", NotificationOutcome.CREDITED)
    assert len(alipay.requests_for(ASKED)) == 1  # a paid order is asked about no more


def test_a_pending_order_is_asked_about_again_only_after_the_interval(client, token, alipay):
    order = alipay_paid(client, token)

    with later(minutes=4):
        run_job()
        run_job()
    assert len(alipay.requests_for(ASKED)) == 1
    with later(minutes=8):
        run_job()

    assert len(alipay.requests_for(ASKED)) == 2
    assert status_of(order) == OrderStatus.PENDING
    order.refresh_from_db()
    assert order.last_query["trade_status"] == "WAIT_BUYER_PAY"


def test_an_abandoned_order_is_closed_at_the_gateway_after_its_time_out(client, token, alipay):
    order = alipay_paid(client, token)

    with later(minutes=32):
        run_job()

    assert alipay.closes == [order.out_trade_no]
    assert alipay.trades[order.out_trade_no].status == "TRADE_CLOSED"
    assert status_of(order) == OrderStatus.CLOSED


def test_an_order_whose_page_was_never_opened_is_closed_after_its_time_out(client, token, alipay):
    alipay.unpaid_trades_unknown = True  # Alipay knows no trade nobody logged in to pay
    order = alipay_paid(client, token)

    with later(minutes=10):
        run_job()
    assert status_of(order) == OrderStatus.PENDING
    with later(minutes=32):
        run_job()

    assert status_of(order) == OrderStatus.CLOSED


def test_an_order_paid_just_before_its_time_out_is_credited_not_closed(
    client, token, alipay, customer
):
    order = alipay_paid(client, token)
    alipay.pay_silently(order.out_trade_no)

    with later(minutes=40):
        run_job()

    assert status_of(order) == OrderStatus.PAID
    assert alipay.closes == []
    assert PointsTransaction.objects.filter(user=customer).count() == 1


def test_an_answer_not_signed_by_alipay_changes_nothing(client, token, alipay, customer):
    order = alipay_paid(client, token)
    alipay.pay_silently(order.out_trade_no)
    alipay.forge_answers = True

    with later(minutes=4):
        run_job()

    assert status_of(order) == OrderStatus.PENDING
    assert "answer not signed" in Order.objects.get().last_query["error"]
    assert not PointsTransaction.objects.filter(user=customer).exists()


def test_a_gateway_that_cannot_be_reached_leaves_the_order_for_the_next_run(
    client, token, alipay, settings
):
    order = alipay_paid(client, token)
    settings.ALIPAY_GATEWAY_URL = closed_port_url() + "/gateway.do"

    with later(minutes=40):
        run_job()

    assert status_of(order) == OrderStatus.PENDING
    assert "ConnectionError" in Order.objects.get().last_query["error"]


def test_wechat_pay_orders_are_recovered_and_closed_alike(client, token, wechatpay, customer):
    def native() -> Order:
        body = {"total_amount": 5}
        client.post("/wechatpay/native", body, content_type="application/json", **bearer(token))
        return Order.objects.order_by("-id").first()

    paid, abandoned = native(), native()
    wechatpay.pay_silently(paid.out_trade_no)

    with later(minutes=32):
        run_job()

    assert (status_of(paid), status_of(abandoned)) == (OrderStatus.PAID, OrderStatus.CLOSED)
    assert wechatpay.closes == [abandoned.out_trade_no]
    assert PointsTransaction.objects.get(user=customer).amount == Decimal("5")


def test_a_client_asking_about_its_pending_order_has_the_gateway_asked(
    client, token, alipay, customer
):
    order = alipay_paid(client, token)
    alipay.pay_silently(order.out_trade_no)
    path = f"/points/orders/{order.out_trade_no}"

    first = client.get(path, **bearer(token))
    assert first.json()["data"]["status"] == "pending"  # made a moment ago: not asked yet
    with later(seconds=20):
        answer = client.get(path, **bearer(token)).json()["data"]
        # The job ran at once here (tests run queued jobs eagerly): the next look sees it.
        again = client.get(path, **bearer(token)).json()["data"]

    assert answer["status"] in ("pending", "paid")
    assert (again["status"], again["success"]) == ("paid", True)
    assert len(alipay.requests_for(ASKED)) == 1
