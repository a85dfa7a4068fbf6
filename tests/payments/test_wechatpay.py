"""WeChat Pay Native against the fake gateway: the QR code, the signed, encrypted notification."""

import time
from decimal import Decimal

import pytest

from accounts.models import Role
from payments.models import NotificationOutcome, Order, OrderStatus, PaymentNotification
from points.models import PointsTransaction
from tests.factories import UserFactory
from tests.payments.helpers import bearer, notify_wechatpay

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db):
    return UserFactory(username="student", rate=Decimal("2"))


@pytest.fixture
def token(customer, make_token) -> str:
    return make_token(customer)


def native(client, token: str, **body):
    response = client.post(
        "/wechatpay/native",
        {"total_amount": 30, **body},
        content_type="application/json",
        **bearer(token),
    )
    return response, Order.objects.order_by("-id").first()


def credits_of(user) -> list[PointsTransaction]:
    return list(PointsTransaction.objects.filter(user=user))


def test_native_answers_the_qr_codes_content_from_a_signed_order(client, token, wechatpay):
    response, order = native(client, token, subject="积分充值")

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "订单已创建，请使用微信扫码支付"
    data = body["data"]
    assert data["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    assert (data["out_trade_no"], data["status"], data["points"]) == (
        order.out_trade_no,
        "pending",
        60,
    )
    assert wechatpay.bad_signatures == 0
    sent = wechatpay.requests[-1]["body"]
    assert sent["amount"] == {"total": 3000, "currency": "CNY"}
    assert sent["notify_url"] == "http://testserver/wechatpay/notify"
    assert sent["time_expire"].endswith("+08:00")
    assert order.channel == "wechat_native"


def test_a_notification_is_verified_decrypted_and_credited_once(client, token, wechatpay, customer):
    _, order = native(client, token)
    headers, body = wechatpay.pay(order.out_trade_no)

    first = notify_wechatpay(client, headers, body)
    again = notify_wechatpay(client, headers, body)

    assert (first.status_code, again.status_code) == (204, 204)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.trade_no == wechatpay.trades[order.out_trade_no].transaction_id
    [credit] = credits_of(customer)
    assert (credit.amount, credit.reference_id) == (Decimal("60"), order.out_trade_no)
    assert credit.description == f"微信支付充值 (订单号: {order.out_trade_no})"
    assert order.notification["transaction"]["trade_state"] == "SUCCESS"


def test_a_notification_replayed_a_day_later_is_refused(client, token, wechatpay, customer):
    _, order = native(client, token)
    wechatpay.pay(order.out_trade_no)
    headers, body = wechatpay.notification(order.out_trade_no, timestamp=int(time.time()) - 86400)

    response = notify_wechatpay(client, headers, body)

    assert response.status_code == 400
    assert response.json() == {"code": "FAIL", "message": "失败"}
    assert credits_of(customer) == []


@pytest.mark.parametrize(
    "forgery", [{"sign_with_other_key": True}, {"serial": "PUB_KEY_ID_SOMEONE_ELSE"}]
)
def test_a_notification_not_signed_by_wechat_pay_is_refused(
    client, token, wechatpay, customer, forgery
):
    _, order = native(client, token)
    wechatpay.pay(order.out_trade_no)
    headers, body = wechatpay.notification(order.out_trade_no, **forgery)

    assert notify_wechatpay(client, headers, body).status_code == 400
    assert credits_of(customer) == []
    assert not PaymentNotification.objects.exists()


def test_a_body_changed_after_signing_is_refused(client, token, wechatpay, customer):
    _, order = native(client, token)
    headers, body = wechatpay.pay(order.out_trade_no)

    assert (
        notify_wechatpay(client, headers, body.replace(b"TRANSACTION", b"TRANSACTIoN")).status_code
        == 400
    )
    assert credits_of(customer) == []


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [
        ({"amount": {"total": 1}}, "金额不符"),
        ({"appid": "wx9999999999999999"}, "应用ID不符"),
        ({"mchid": "1900009999"}, "商户不符"),
    ],
)
def test_a_signed_transaction_that_does_not_match_the_order_is_kept(
    client, token, wechatpay, customer, overrides, detail
):
    _, order = native(client, token)
    wechatpay.pay(order.out_trade_no)
    headers, body = wechatpay.notification(order.out_trade_no, transaction_overrides=overrides)

    assert notify_wechatpay(client, headers, body).status_code == 400
    assert credits_of(customer) == []
    kept = PaymentNotification.objects.get()
    assert (kept.outcome, kept.order) == (NotificationOutcome.MISMATCH, order)
    assert detail in kept.detail


def test_an_unknown_order_is_refused(client, wechatpay):
    transaction = {
        "appid": wechatpay.appid,
        "mchid": wechatpay.mchid,
        "out_trade_no": "PAY20261207000000NOSUCH",
        "transaction_id": "4200000000202612070000000999",
        "trade_state": "SUCCESS",
        "amount": {"total": 100, "payer_total": 100, "currency": "CNY"},
    }
    headers, body = wechatpay.notification_for(transaction)

    assert notify_wechatpay(client, headers, body).status_code == 400
    assert PaymentNotification.objects.get().outcome == NotificationOutcome.UNKNOWN_ORDER


def test_an_alipay_order_is_not_paid_by_wechat_pay(client, token, wechatpay, customer, alipay):
    client.post(
        "/alipay/pay", {"total_amount": 30}, content_type="application/json", **bearer(token)
    )
    order = Order.objects.get()
    transaction = {
        "appid": wechatpay.appid,
        "mchid": wechatpay.mchid,
        "out_trade_no": order.out_trade_no,
        "transaction_id": "4200000000202612070000000998",
        "trade_state": "SUCCESS",
        "amount": {"total": 3000, "payer_total": 3000, "currency": "CNY"},
    }
    headers, body = wechatpay.notification_for(transaction)

    assert notify_wechatpay(client, headers, body).status_code == 400
    assert credits_of(customer) == []
    assert PaymentNotification.objects.get().outcome == NotificationOutcome.MISMATCH


def test_an_agent_pays_for_an_invitee_by_qr_code(client, make_token, wechatpay):
    agent = UserFactory(username="agent007", role=Role.AGENT, rate=Decimal("3"))
    invitee = UserFactory(username="invitee", invited_by=agent)

    response, order = native(client, make_token(agent), target_user_id=str(invitee.uuid))
    notify_wechatpay(client, *wechatpay.pay(order.out_trade_no))

    assert response.json()["data"]["beneficiary_username"] == "invitee"
    [credit] = credits_of(invitee)
    assert credit.amount == Decimal("90")
    assert credit.description.startswith("代理充值 - agent007 为 invitee 充值")


def test_a_customer_cannot_pay_by_qr_code_for_someone_else(client, token, wechatpay):
    response, order = native(client, token, target_user_id=str(UserFactory().uuid))

    assert (response.status_code, response.json()["message"]) == (
        403,
        "仅代理和管理员可以为下级充值",
    )
    assert order is None


def test_without_settings_the_answer_is_payment_configuration_missing(client, token):
    response, order = native(client, token)

    assert (response.status_code, response.json()["message"]) == (500, "支付配置缺失")
    assert order is None


def test_a_gateway_answer_not_signed_by_wechat_pay_is_not_trusted(client, token, wechatpay):
    wechatpay.forge_answers = True

    response, order = native(client, token)

    assert (response.status_code, response.json()["message"]) == (
        503,
        "支付服务暂时不可用，请稍后再试",
    )
    assert order.status == OrderStatus.PENDING  # the background job asks about it, then closes it


def test_notify_without_settings_is_refused(client):
    response = client.post("/wechatpay/notify", b"{}", content_type="application/json")

    assert response.status_code == 503
