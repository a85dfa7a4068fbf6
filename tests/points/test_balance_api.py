"""10. POST /ai/points and 11. GET /points/balance; the token checks of every points route."""

from decimal import Decimal

import pytest
from django.utils import timezone

from points import services
from tests.points.helpers import AI_POINTS, BALANCE, RECHARGES, REFUND, TRANSACTIONS, recharge
from tests.rewriting_accounts.helpers import (
    INVALID_TOKEN,
    METHOD_NOT_ALLOWED,
    MISSING_TOKEN,
    assert_ok,
    assert_refused,
    bearer,
)

pytestmark = pytest.mark.django_db

ROUTES = [
    ("post", AI_POINTS),
    ("get", BALANCE),
    ("get", TRANSACTIONS),
    ("get", RECHARGES),
    ("post", REFUND),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_missing_token_is_401(api_client, method, path):
    response = getattr(api_client, method)(path, format="json")

    assert_refused(response, 401, MISSING_TOKEN)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_invalid_token_is_401(api_client, method, path):
    response = getattr(api_client, method)(path, format="json", **bearer("not.a.token"))

    assert_refused(response, 401, INVALID_TOKEN)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_token_of_a_revoked_session_is_401(api_client, make_token, member, method, path):
    token = make_token(member, revoked_at=timezone.now())

    response = getattr(api_client, method)(path, format="json", **bearer(token))

    assert_refused(response, 401, INVALID_TOKEN)


# --- /ai/points ----------------------------------------------------------------------------------


def test_ai_points_gives_balance_and_price(client_for, member, settings):
    settings.POINTS_COST_PER_1000_CHARS = Decimal("3")
    recharge(member, "450")

    data = assert_ok(client_for(member).post(AI_POINTS), "查询成功")

    assert data == {"points_balance": 450, "task_cost": 3, "cost_per_1000_chars": 3}
    assert all(type(value) is int for value in data.values())


def test_ai_points_follows_a_fractional_price(client_for, member, settings):
    settings.POINTS_COST_PER_1000_CHARS = Decimal("2.5")
    recharge(member, "146.4")

    data = assert_ok(client_for(member).post(AI_POINTS), "查询成功")

    assert data == {"points_balance": 146.4, "task_cost": 2.5, "cost_per_1000_chars": 2.5}


def test_ai_points_of_a_user_without_points_is_zero(client_for, member):
    data = assert_ok(client_for(member).post(AI_POINTS), "查询成功")

    assert data["points_balance"] == 0
    assert type(data["points_balance"]) is int


def test_ai_points_answers_only_post(client_for, member):
    assert_refused(client_for(member).get(AI_POINTS), 405, METHOD_NOT_ALLOWED)


# --- /points/balance -----------------------------------------------------------------------------


def test_balance_of_the_caller(client_for, member, other):
    recharge(member, "1500")
    recharge(other, "7")

    data = assert_ok(client_for(member).get(BALANCE), "查询积分余额成功")

    assert data == {"points_balance": 1500}
    assert type(data["points_balance"]) is int


def test_balance_with_decimals_is_a_number(client_for, member):
    recharge(member, "456.4")

    response = client_for(member).get(BALANCE)

    assert assert_ok(response, "查询积分余额成功") == {"points_balance": 456.4}
    assert b'"points_balance":456.4' in response.content


def test_balance_without_an_account_is_zero(client_for, member):
    assert assert_ok(client_for(member).get(BALANCE), "查询积分余额成功") == {"points_balance": 0}


def test_held_points_stay_in_the_balance_until_spent(client_for, member):
    recharge(member, "10")
    services.points_hold(user=member, amount=Decimal("4"))
    client = client_for(member)

    assert assert_ok(client.get(BALANCE), "查询积分余额成功") == {"points_balance": 10}

    services.points_spend(
        user=member, amount=Decimal("4"), description="任务", reference_id="t", held=True
    )
    assert assert_ok(client.get(BALANCE), "查询积分余额成功") == {"points_balance": 6}
