"""Alipay end to end against the fake gateway: the form, the notification, the ledger."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role
from payments.models import NotificationOutcome, Order, OrderStatus, PaymentNotification
from points.models import PointsTransaction
from points.selectors import points_balance_of
from tests.factories import UserFactory
from tests.payments.helpers import (
    alipay_paid,
    alipay_pay,
    browser_submits,
    notify_alipay,
    read_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db):
    return UserFactory(username="student", rate=Decimal("1.5"))


@pytest.fixture
def token(customer, make_token) -> str:
    return make_token(customer)


def credits_of(user) -> list[PointsTransaction]:
    return list(PointsTransaction.objects.filter(user=user))


# --- the form ---------------------------------------------------------------------------------


def test_pay_answers_a_page_whose_form_the_gateway_accepts(client, token, alipay, customer):
    response, order = alipay_pay(client, token, subject="积分充值 - 50元")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    form = read_form(response.content.decode())
    assert form.name == "alipaysubmit"
    assert "验签出错" not in browser_submits(response.content.decode()).text
    assert alipay.bad_signatures == 0
    trade = alipay.trades[order.out_trade_no]
    assert (trade.total_amount, trade.subject) == ("50.00", "积分充值 - 50元")
    assert alipay.requests[-1]["biz"]["product_code"] == "FAST_INSTANT_TRADE_PAY"
    assert form.fields["notify_url"] == "http://testserver/alipay/notify"
    assert form.fields["return_url"] == "http://testserver/alipay/return"
    assert (order.payer, order.beneficiary, order.status) == (customer, customer, "pending")
    assert (order.amount, order.points, order.rate) == (
        Decimal("50"),
        Decimal("75"),
        Decimal("1.5"),
    )


def test_characters_alipay_refuses_in_a_subject_are_left_out(client, token, alipay):
    response, order = alipay_pay(client, token, subject="论文/降重=积分&充值")

    assert "验签出错" not in browser_submits(response.content.decode()).text
    assert alipay.trades[order.out_trade_no].subject == "论文 降重 积分 充值"
    assert order.subject == "论文/降重=积分&充值"


def test_the_mobile_form_is_wap_pay_returning_where_the_client_asked(client, token, alipay):
    response, order = alipay_pay(
        client, token, device="mobile", return_url="https://m.example.com/paid"
    )

    browser_submits(response.content.decode())
    request = alipay.requests[-1]
    assert request["method"] == "alipay.trade.wap.pay"
    assert request["biz"]["product_code"] == "QUICK_WAP_WAY"
    assert request["params"]["return_url"] == "https://m.example.com/paid"
    assert order.channel == "alipay_wap"


def test_the_page_may_post_its_form_to_the_gateway_and_run_its_one_script(
    client, token, alipay, settings
):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "csp.middleware.CSPMiddleware"]

    response, _ = alipay_pay(client, token)

    policy = response["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:" in policy
    assert "script-src 'self' 'sha256-" in policy


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "充值金额必须为整数且至少为 1 元"),
        (1.5, "充值金额必须为整数且至少为 1 元"),
        ("abc", "充值金额必须为整数且至少为 1 元"),
        (-5, "充值金额必须为整数且至少为 1 元"),
        (None, "充值金额必须为整数且至少为 1 元"),
        (50001, "单笔充值金额不能超过 50000 元"),
    ],
)
def test_a_bad_amount_is_refused_and_no_order_made(client, token, alipay, amount, message):
    response, order = alipay_pay(client, token, total_amount=amount)

    assert response.status_code == 400
    assert response.json()["message"] == message
    assert order is None


def test_whole_amounts_written_as_text_or_decimals_are_taken(client, token, alipay):
    response, order = alipay_pay(client, token, total_amount="20")
    assert (response.status_code, order.amount) == (200, Decimal("20"))
    response, order = alipay_pay(client, token, total_amount=30.0)
    assert (response.status_code, order.amount) == (200, Decimal("30"))


def test_without_gateway_settings_the_answer_is_payment_configuration_missing(client, token):
    response, order = alipay_pay(client, token)

    assert response.status_code == 500
    assert response.json()["code"] == 500
    assert response.json()["message"] == "支付配置缺失"
    assert order is None


def test_a_rate_that_buys_nothing_makes_no_order(client, make_token, alipay):
    response, order = alipay_pay(client, make_token(UserFactory(rate=0)))

    assert response.status_code == 400
    assert order is None


def test_logging_in_is_required(client, alipay):
    response = client.post("/alipay/pay", {"total_amount": 5}, content_type="application/json")

    assert response.status_code == 401


# --- notifications ------------------------------------------------------------------------------


def test_a_notification_credits_the_order_once_in_the_ledger(client, token, alipay, customer):
    order = alipay_paid(client, token)

    response = notify_alipay(client, alipay.pay(order.out_trade_no))

    assert (response.status_code, response.content) == (200, b"success")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.trade_no == alipay.trades[order.out_trade_no].trade_no
    [credit] = credits_of(customer)
    assert credit == order.credit
    assert (credit.amount, credit.reference_id) == (Decimal("75"), order.out_trade_no)
    assert credit.description == f"支付宝充值 (订单号: {order.out_trade_no})"
    assert points_balance_of(customer) == Decimal("75")
    assert order.notification["notify_id"]


def test_the_same_notification_again_a_day_later_credits_nothing(client, token, alipay, customer):
    order = alipay_paid(client, token)
    params = alipay.pay(order.out_trade_no)
    notify_alipay(client, params)

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        response = notify_alipay(client, params)

    assert response.content == b"success"
    assert len(credits_of(customer)) == 1
    outcomes = PaymentNotification.objects.values_list("outcome", flat=True)
    assert sorted(outcomes) == ["already_paid", "credited"]


def test_a_forged_signature_is_refused_and_credits_nothing(client, token, alipay, customer):
    order = alipay_paid(client, token)
    params = alipay.forge(alipay.pay(order.out_trade_no))

    response = notify_alipay(client, params)

    assert response.content == b"fail"
    assert credits_of(customer) == []
    assert not PaymentNotification.objects.exists()  # not the gateway's word: not kept


def test_a_tampered_field_breaks_the_signature(client, token, alipay, customer):
    order = alipay_paid(client, token)
    params = {**alipay.pay(order.out_trade_no), "total_amount": "5000.00"}

    assert notify_alipay(client, params).content == b"fail"
    assert credits_of(customer) == []


@pytest.mark.parametrize(
    ("field", "value", "detail"),
    [
        ("total_amount", "1.00", "金额不符"),
        ("app_id", "2021000000009999", "应用ID不符"),
        ("seller_id", "2088000000009999", "商户不符"),
    ],
)
def test_a_signed_notification_that_does_not_match_is_kept_and_credits_nothing(
    client, token, alipay, customer, field, value, detail
):
    order = alipay_paid(client, token)
    alipay.pay(order.out_trade_no)

    response = notify_alipay(client, alipay.notification(order.out_trade_no, **{field: value}))

    assert response.content == b"fail"  # Alipay sends it again; staff see every copy
    assert credits_of(customer) == []
    kept = PaymentNotification.objects.get()
    assert (kept.order, kept.outcome) == (order, NotificationOutcome.MISMATCH)
    assert detail in kept.detail
    assert kept.payload[field] == value
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_an_unknown_order_is_refused(client, token, alipay):
    order = alipay_paid(client, token)
    params = alipay.notification(order.out_trade_no)
    params = alipay.sign({**params, "out_trade_no": "PAY20261207000000NOSUCH"})

    assert notify_alipay(client, params).content == b"fail"
    assert PaymentNotification.objects.get().outcome == NotificationOutcome.UNKNOWN_ORDER


def test_a_payment_for_a_closed_order_credits_nothing_and_is_kept_for_staff(
    client, token, alipay, customer
):
    order = alipay_paid(client, token)
    Order.objects.filter(pk=order.pk).update(status="closed", closed_at=timezone.now())

    response = notify_alipay(client, alipay.pay(order.out_trade_no))

    assert response.content == b"success"  # sending it again would change nothing
    assert credits_of(customer) == []
    assert PaymentNotification.objects.get().outcome == NotificationOutcome.ORDER_CLOSED


def test_a_status_other_than_success_is_acknowledged_and_changes_nothing(
    client, token, alipay, customer
):
    order = alipay_paid(client, token)
    params = alipay.notification(order.out_trade_no, trade_status="WAIT_BUYER_PAY")

    assert notify_alipay(client, params).content == b"success"
    assert credits_of(customer) == []
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_trade_finished_after_success_credits_nothing_more(client, token, alipay, customer):
    order = alipay_paid(client, token)
    notify_alipay(client, alipay.pay(order.out_trade_no))

    assert notify_alipay(client, alipay.finish(order.out_trade_no)).content == b"success"
    assert len(credits_of(customer)) == 1


def test_an_unreadable_notification_is_refused(client, alipay):
    response = client.post("/alipay/notify", "not a form", content_type="text/plain")

    assert response.content == b"fail"


def test_the_return_page_credits_nothing(client, token, alipay, customer):
    order = alipay_paid(client, token)
    params = alipay.pay(order.out_trade_no)  # Alipay sends the browser back with these

    response = client.get("/alipay/return", params)

    assert response.status_code == 200
    assert "正在确认支付结果" in response.content.decode()
    assert credits_of(customer) == []
    notify_alipay(client, params)
    assert "支付成功" in client.get("/alipay/return", params).content.decode()


def test_the_return_page_of_no_order_is_a_404(client):
    assert client.get("/alipay/return", {"out_trade_no": "nope"}).status_code == 404


# --- paying for an invitee --------------------------------------------------------------------


@pytest.fixture
def agent(db):
    return UserFactory(username="agent007", role=Role.AGENT, rate=Decimal("2"))


@pytest.fixture
def invitee(agent):
    return UserFactory(username="invitee", invited_by=agent, rate=Decimal("1"))


def pay_for(client, make_token, payer, **body):
    return alipay_pay(client, make_token(payer), path="/alipay/pay-for-downline", **body)


def test_an_agent_pays_for_a_direct_invitee_at_the_agents_rate(
    client, make_token, alipay, agent, invitee
):
    response, order = pay_for(
        client, make_token, agent, target_user_id=str(invitee.uuid), total_amount=10
    )
    browser_submits(response.content.decode())
    notify_alipay(client, alipay.pay(order.out_trade_no))

    order.refresh_from_db()
    assert (order.payer, order.beneficiary) == (agent, invitee)
    assert (order.rate, order.beneficiary_rate, order.rate_difference) == (2, 1, 1)
    assert order.subject == "为 invitee 充值积分"
    [credit] = credits_of(invitee)
    assert credit.amount == Decimal("20")
    expected = f"代理充值 - agent007 为 invitee 充值 (订单: {order.out_trade_no})"
    assert credit.description == expected
    assert credits_of(agent) == []


def test_an_admin_pays_for_anyone(client, make_token, alipay, invitee):
    admin = UserFactory(role=Role.ADMIN)

    response, order = pay_for(client, make_token, admin, target_user_id=str(invitee.uuid))

    assert response.status_code == 200
    assert order.beneficiary == invitee


@pytest.mark.parametrize(
    ("payer_role", "target", "status", "message"),
    [
        ("user", "invitee", 403, "仅代理和管理员可以为下级充值"),
        ("agent", "stranger", 403, "目标用户不是您的下级，无权为其充值"),
        ("agent", "agent", 403, "目标用户不是您的下级，无权为其充值"),
        ("agent", "nobody", 404, "目标用户不存在"),
        ("agent", "not-a-uuid", 400, "用户ID格式不正确"),
        ("agent", None, 400, "目标用户ID不能为空"),
    ],
)
def test_paying_for_others_is_refused_as_the_document_says(
    client, make_token, alipay, agent, invitee, payer_role, target, status, message
):
    payer = agent if payer_role == "agent" else invitee
    targets = {
        "invitee": str(invitee.uuid),
        "stranger": str(UserFactory().uuid),
        "agent": str(agent.uuid),
        "nobody": "00000000-0000-4000-8000-000000000000",
        "not-a-uuid": "not-a-uuid",
    }
    body = {"target_user_id": targets[target]} if target else {}

    response, order = pay_for(client, make_token, payer, **body)

    assert (response.status_code, response.json()["message"]) == (status, message)
    assert order is None


# --- the gateway's answers ----------------------------------------------------------------------


def test_every_request_to_the_gateway_is_signed_with_the_apps_key(client, token, alipay):
    alipay_paid(client, token)

    assert alipay.bad_signatures == 0
    biz = alipay.requests[-1]["biz"]
    assert json.loads(json.dumps(biz))["time_expire"]
