"""The customer's orders (/points/orders), the console's, and what the database holds to."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from csa.ids import BEIJING
from payments import services
from payments.gateways import PAID, Trade, gateway_for
from payments.models import Channel, NotificationOutcome, Order, OrderStatus, PaymentNotification
from tests.factories import UserFactory
from tests.payments.helpers import alipay_paid, bearer

pytestmark = pytest.mark.django_db


def order_for(payer, *, beneficiary=None, amount=10, channel=Channel.ALIPAY_PAGE) -> Order:
    return services.order_create(
        payer=payer,
        beneficiary=beneficiary or payer,
        channel=channel,
        amount=Decimal(amount),
    )


def paid(order: Order) -> Order:
    """Settled as a verified Alipay notification would settle it."""
    gateway = gateway_for("alipay")
    trade = Trade(
        order.out_trade_no,
        PAID,
        "TRADE_SUCCESS",
        trade_no=f"2026120722001{order.pk:015d}",
        total_amount=order.amount,
        app_id=gateway.app_id,
        merchant_id=gateway.merchant_id,
        raw={"out_trade_no": order.out_trade_no},
    )
    assert services.order_settle(gateway=gateway, trade=trade, source="notify") == "credited"
    order.refresh_from_db()
    return order


@pytest.fixture
def customer(db):
    return UserFactory(username="student")


def orders_page(client, user, make_token, **params):
    return client.get("/points/orders", params, **bearer(make_token(user)))


# --- /points/orders ---------------------------------------------------------------------------


def test_orders_are_the_callers_own_newest_first_with_every_field(
    client, make_token, customer, alipay
):
    older = paid(order_for(customer, amount=5))
    newer = order_for(customer, amount=7)
    order_for(UserFactory())

    body = orders_page(client, customer, make_token).json()

    assert body["message"] == "查询充值订单成功"
    rows = body["data"]["orders"]
    assert [row["out_trade_no"] for row in rows] == [newer.out_trade_no, older.out_trade_no]
    assert rows[1] == {
        "out_trade_no": older.out_trade_no,
        "channel": "alipay_page",
        "status": "paid",
        "success": True,
        "subject": "积分充值 - 5元",
        "total_amount": 5,
        "points": 5,
        "rate": 1.0,
        "beneficiary_id": str(customer.uuid),
        "beneficiary_username": "student",
        "trade_no": older.trade_no,
        "created_at": rows[1]["created_at"],
        "expires_at": rows[1]["expires_at"],
        "paid_at": rows[1]["paid_at"],
        "closed_at": None,
    }
    assert body["data"]["pagination"]["total"] == 2


def test_orders_page_and_filter_by_status(client, make_token, customer, alipay):
    for _ in range(3):
        order_for(customer)
    paid(order_for(customer))

    first = orders_page(client, customer, make_token, page=1, limit=2).json()["data"]
    pending = orders_page(client, customer, make_token, status="pending").json()["data"]

    assert len(first["orders"]) == 2
    assert first["pagination"]["total_pages"] == 2
    assert pending["pagination"]["total"] == 3
    bad = orders_page(client, customer, make_token, status="refunded")
    assert (bad.status_code, bad.json()["message"]) == (
        400,
        "订单状态只能是 pending、paid 或 closed",
    )


def test_the_order_list_costs_three_queries_however_long(
    client, make_token, customer, django_assert_num_queries
):
    token = make_token(customer)
    for _ in range(15):
        order_for(customer, beneficiary=UserFactory())

    with django_assert_num_queries(3):  # the session, the count, the page with beneficiaries
        client.get("/points/orders", **bearer(token))


def test_one_order_is_read_by_its_payer_and_its_beneficiary_only(client, make_token, customer):
    agent = UserFactory(role=Role.AGENT)
    order = order_for(agent, beneficiary=customer)
    path = f"/points/orders/{order.out_trade_no}"

    for reader in (agent, customer):
        answer = client.get(path, **bearer(make_token(reader)))
        assert answer.json()["data"]["out_trade_no"] == order.out_trade_no
    stranger = client.get(path, **bearer(make_token(UserFactory())))
    assert (stranger.status_code, stranger.json()["message"]) == (404, "订单不存在")
    assert client.get("/points/orders/PAYNOSUCH", **bearer(make_token(customer))).status_code == 404


# --- the database -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"status": OrderStatus.PAID},  # paid with no credit, no trade number
        {"amount": Decimal("0")},
        {"points": Decimal("-1")},
        {"status": OrderStatus.CLOSED},  # closed with no time
        {"status": "refunded"},
        {"expires_at": timezone.now() - timedelta(days=1)},
    ],
)
def test_the_database_refuses_an_order_that_breaks_its_rules(customer, change):
    order = order_for(customer)

    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(**change)


def test_an_order_number_is_unguessable_and_fits_both_gateways(customer):
    numbers = {order_for(customer).out_trade_no for _ in range(50)}

    assert len(numbers) == 50
    assert all(n.startswith("PAY") and len(n) == 27 and n.isalnum() for n in numbers)


# --- the console ------------------------------------------------------------------------------


def test_the_console_lists_searches_and_filters_orders(console, customer, alipay):
    order = paid(order_for(customer, amount=9))
    pending = order_for(UserFactory(username="someone"))
    url = reverse("admin:payments_order_changelist")

    assert order.out_trade_no in console.get(url).content.decode()
    by_number = console.get(url, {"q": order.out_trade_no}).content.decode()
    assert order.out_trade_no in by_number and pending.out_trade_no not in by_number
    by_user = console.get(url, {"q": "someone"}).content.decode()
    assert pending.out_trade_no in by_user and order.out_trade_no not in by_user
    by_trade = console.get(url, {"q": order.trade_no}).content.decode()
    assert order.out_trade_no in by_trade
    paid_only = console.get(url, {"status__exact": "paid"}).content.decode()
    assert order.out_trade_no in paid_only and pending.out_trade_no not in paid_only
    page = console.get(reverse("admin:payments_order_change", args=[order.pk])).content.decode()
    assert "入账依据" in page and "TRADE_SUCCESS" in page and "已入账" in page


def test_the_console_asks_the_gateway_now(console, customer, alipay, client, make_token):
    order = alipay_paid(client, make_token(customer))
    alipay.pay_silently(order.out_trade_no)

    response = console.post(
        reverse("admin:payments_order_changelist"),
        {"action": "ask_gateway", "_selected_action": [order.pk]},
        follow=True,
    )

    assert f"{order.out_trade_no}：已确认支付并入账" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_the_console_shows_daily_totals(console, customer, alipay):
    paid(order_for(customer, amount=9))
    paid(order_for(customer, amount=11))
    order_for(customer, amount=100)  # not paid: not counted

    page = console.get(reverse("admin:payments_order_daily")).content.decode()

    today = timezone.now().astimezone(BEIJING).strftime("%Y-%m-%d")
    assert today in page
    assert "<td>2</td>" in page and "<td>20.00</td>" in page


def test_the_console_lists_notifications_needing_attention(console, customer, alipay, client):
    order = order_for(customer)
    PaymentNotification.objects.create(
        order=order,
        gateway="alipay",
        source="notify",
        out_trade_no=order.out_trade_no,
        trade_status="TRADE_SUCCESS",
        outcome=NotificationOutcome.MISMATCH,
        detail="金额不符",
        payload={"total_amount": "1.00"},
    )
    url = reverse("admin:payments_order_changelist")

    flagged = console.get(url, {"attention": "yes"}).content.decode()

    assert order.out_trade_no in flagged
    notes = console.get(reverse("admin:payments_paymentnotification_changelist")).content.decode()
    assert "金额或商户不符" in notes


def test_the_console_asks_about_twenty_orders_at_a_time(console, customer, alipay):
    orders = [order_for(customer) for _ in range(21)]

    response = console.post(
        reverse("admin:payments_order_changelist"),
        {"action": "ask_gateway", "_selected_action": [order.pk for order in orders]},
        follow=True,
    )

    assert "一次最多查询 20 个订单" in response.content.decode()
    assert len(alipay.requests_for("alipay.trade.query")) == 20
