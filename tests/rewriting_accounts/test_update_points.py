"""POST /user/update-points: admins add or take points, one ledger row per change."""

import uuid
from decimal import Decimal

import pytest

from accounts.models import Role
from points.models import PointsAccount, PointsTransaction, TransactionType
from points.services import points_hold, points_recharge
from tests.factories import UserFactory
from tests.rewriting_accounts.helpers import (
    CHANGED_USER_KEYS,
    MISSING_TOKEN,
    UPDATE_POINTS,
    assert_ok,
    assert_refused,
    post,
)

pytestmark = pytest.mark.django_db

UPDATED = "积分更新成功"
ANSWER_KEYS = CHANGED_USER_KEYS


def change_points(client, target, amount, **body):
    target_user_id = str(target.uuid) if hasattr(target, "uuid") else target
    return post(client, UPDATE_POINTS, {"target_user_id": target_user_id, "amount": amount, **body})


def balance(user) -> Decimal:
    return PointsAccount.objects.get(user=user).balance


def ledger(user) -> list[tuple]:
    rows = PointsTransaction.objects.filter(user=user).order_by("id")
    return [
        (row.transaction_type, row.amount, row.balance_after, row.description, row.recorded_by_id)
        for row in rows
    ]


def test_admin_adds_points_as_one_recharge_row(client_for, admin, member):
    data = assert_ok(change_points(client_for(admin), member, 12.5), UPDATED)

    assert set(data) == ANSWER_KEYS
    assert (data["user_id"], data["points_balance"]) == (str(member.uuid), 12.5)
    assert ledger(member) == [
        (
            TransactionType.RECHARGE,
            Decimal("12.5"),
            Decimal("12.5"),
            "管理员 boss 手动调整积分",
            admin.pk,
        )
    ]


def test_admin_takes_points_with_a_description(client_for, admin, member):
    points_recharge(user=member, amount=Decimal(20))

    data = assert_ok(
        change_points(client_for(admin), member, -12.5, description=" 误充退回 "), UPDATED
    )

    assert data["points_balance"] == 7.5
    assert ledger(member)[-1] == (
        TransactionType.RECHARGE,
        Decimal("-12.5"),
        Decimal("7.5"),
        "误充退回",
        admin.pk,
    )


def test_the_change_is_among_the_users_recharges(client_for, admin, member):
    change_points(client_for(admin), member, 3)

    answer = client_for(member).get("/points/transactions", {"transaction_type": "recharge"})

    rows = assert_ok(answer, "查询积分交易记录成功")["transactions"]
    assert [(row["transaction_type"], row["amount"]) for row in rows] == [("recharge", 3)]


def test_a_browsers_float_difference_is_the_amount_it_means(client_for, admin, member):
    points_recharge(user=member, amount=Decimal("3.2"))

    assert_ok(change_points(client_for(admin), member, 10.1 - 3.2), UPDATED)  # 6.8999999999999995

    assert balance(member) == Decimal("10.1")


def test_an_admin_without_a_username_is_named_by_email(client_for, member):
    staff = UserFactory(role=Role.ADMIN, username=None, email="ops@example.com")

    change_points(client_for(staff), member, 1)

    assert ledger(member)[0][3] == "管理员 ops@example.com 手动调整积分"


@pytest.mark.parametrize("description", ["", "   ", None])
def test_a_blank_description_is_the_default(client_for, admin, member, description):
    change_points(client_for(admin), member, 1, description=description)

    assert ledger(member)[0][3] == "管理员 boss 手动调整积分"


def test_taking_everything_leaves_zero(client_for, admin, member):
    points_recharge(user=member, amount=Decimal("5.5"))

    assert assert_ok(change_points(client_for(admin), member, -5.5), UPDATED)["points_balance"] == 0


# --- refusals ------------------------------------------------------------------------------


def test_below_zero_is_400_with_the_balance_and_changes_nothing(client_for, admin, member):
    points_recharge(user=member, amount=Decimal("3.6"))

    response = change_points(client_for(admin), member, -3.601)

    assert_refused(response, 400, "积分余额不足，当前余额: 3.6")
    assert balance(member) == Decimal("3.6")
    assert len(ledger(member)) == 1


def test_points_held_for_running_tasks_cannot_be_taken(client_for, admin, member):
    points_recharge(user=member, amount=Decimal(10))
    points_hold(user=member, amount=Decimal(4))

    response = change_points(client_for(admin), member, -7)

    assert_refused(response, 400, "积分余额不足，当前余额: 6")
    assert balance(member) == 10


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "积分调整金额不能为0"),
        (0.0, "积分调整金额不能为0"),
        (-1_000_000.001, "积分调整金额过小"),
        (1_000_000.001, "积分调整金额过大"),
        (1e300, "积分调整金额过大"),
        (1.0005, "积分调整金额最多保留3位小数"),
        ("ten", "积分调整金额必须是数字"),
        (False, "积分调整金额必须是数字"),
        (None, "积分调整金额不能为空"),
    ],
)
def test_bad_amounts_are_400(client_for, admin, member, amount, message):
    assert_refused(change_points(client_for(admin), member, amount), 400, message)

    assert not PointsTransaction.objects.filter(user=member).exists()


def test_the_limits_themselves_are_allowed(client_for, admin, member):
    assert_ok(change_points(client_for(admin), member, 1_000_000), UPDATED)
    assert_ok(change_points(client_for(admin), member, -1_000_000), UPDATED)

    assert balance(member) == 0


def test_a_long_description_is_400(client_for, admin, member):
    response = change_points(client_for(admin), member, 1, description="长" * 201)

    assert_refused(response, 400, "描述信息过长")


def test_a_description_of_two_hundred_is_allowed(client_for, admin, member):
    assert_ok(change_points(client_for(admin), member, 1, description="长" * 200), UPDATED)


@pytest.mark.parametrize("role", [Role.AGENT, Role.USER])
def test_non_admins_are_403(client_for, member, role):
    caller = UserFactory(role=role)

    assert_refused(change_points(client_for(caller), member, 5), 403, "仅管理员可修改用户积分")
    assert not PointsTransaction.objects.exists()


def test_unknown_target_is_404(client_for, admin):
    response = change_points(client_for(admin), str(uuid.uuid4()), 5)

    assert_refused(response, 404, "目标用户不存在")


def test_target_that_is_no_uuid_is_400(client_for, admin):
    assert_refused(change_points(client_for(admin), "7", 5), 400, "用户ID格式不正确")


def test_missing_token_is_401(api_client, member):
    assert_refused(change_points(api_client, member, 5), 401, MISSING_TOKEN)


def test_query_count(client_for, admin, member, django_assert_num_queries):
    points_recharge(user=member, amount=Decimal(1))
    client = client_for(admin)

    # session, target, the locked account's savepoint, lock, update and ledger row, the answer
    with django_assert_num_queries(8):
        assert_ok(change_points(client, member, 2), UPDATED)
