"""Over real HTTP, on PostgreSQL: many copies of one notification at once credit it once."""

from decimal import Decimal

import pytest
import requests

from payments.models import NotificationOutcome, Order, OrderStatus, PaymentNotification
from points.models import PointsTransaction
from points.selectors import points_balance_of
from tests.factories import UserFactory
from tests.payments.helpers import bearer, browser_submits
from tests.threads import all_at_once, races_need_postgresql

pytestmark = [
    pytest.mark.django_db(transaction=True),
    races_need_postgresql,
]

COPIES = 20


@pytest.fixture
def served(live_server, settings) -> str:
    """The app over HTTP, where the gateways post their notifications."""
    settings.PAYMENTS_PUBLIC_BASE_URL = live_server.url
    return live_server.url


@pytest.fixture
def customer(db):
    return UserFactory(username="student", rate=Decimal("1.25"))


def assert_credited_once(order: Order, user) -> None:
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    [credit] = PointsTransaction.objects.filter(user=user)
    assert (credit.pk, credit.amount) == (order.credit_id, order.points)
    assert points_balance_of(user) == order.points
    outcomes = list(PaymentNotification.objects.values_list("outcome", flat=True))
    assert sorted(outcomes) == sorted(
        [NotificationOutcome.CREDITED] + [NotificationOutcome.ALREADY_PAID] * (COPIES - 1)
    )


def test_twenty_copies_of_an_alipay_notification_credit_once(served, alipay, customer, make_token):
    page = requests.post(
        f"{served}/alipay/pay",
        json={"total_amount": 8},
        headers={"Authorization": bearer(make_token(customer))["HTTP_AUTHORIZATION"]},
        timeout=5,
    )
    browser_submits(page.text)
    order = Order.objects.get()
    params = alipay.pay(order.out_trade_no)

    answers = all_at_once(lambda: alipay.notify(params), COPIES)

    assert answers == [(200, "success")] * COPIES
    assert_credited_once(order, customer)
    assert order.points == Decimal("10")


def test_twenty_copies_of_a_wechat_pay_notification_credit_once(
    served, wechatpay, customer, make_token
):
    answer = requests.post(
        f"{served}/wechatpay/native",
        json={"total_amount": 8},
        headers={"Authorization": bearer(make_token(customer))["HTTP_AUTHORIZATION"]},
        timeout=5,
    )
    assert answer.json()["data"]["code_url"].startswith("weixin://")
    order = Order.objects.get()
    headers, body = wechatpay.pay(order.out_trade_no)

    answers = all_at_once(lambda: wechatpay.notify(headers, body), COPIES)

    assert answers == [(204, "")] * COPIES
    assert_credited_once(order, customer)
