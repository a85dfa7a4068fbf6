"""POST /user/update-rate: admins set how many points one yuan buys a user."""

import uuid
from decimal import Decimal

import pytest

from accounts.models import Role
from tests.factories import UserFactory
from tests.rewriting_accounts.helpers import (
    BAD_JSON,
    CHANGED_USER_KEYS,
    MISSING_TOKEN,
    UPDATE_RATE,
    assert_ok,
    assert_refused,
    post,
    post_raw,
)

pytestmark = pytest.mark.django_db

UPDATED = "费率更新成功"
UNCHANGED = "费率已是最新状态"
ANSWER_KEYS = CHANGED_USER_KEYS | {"previous_rate"}


def change_rate(client, target, rate):
    target_user_id = str(target.uuid) if hasattr(target, "uuid") else target
    return post(client, UPDATE_RATE, {"target_user_id": target_user_id, "rate": rate})


def test_admin_changes_a_rate_and_gets_the_user(client_for, admin, member):
    data = assert_ok(change_rate(client_for(admin), member, 1.5), UPDATED)

    assert set(data) == ANSWER_KEYS
    assert (data["user_id"], data["rate"], data["previous_rate"]) == (str(member.uuid), 1.5, 1)
    member.refresh_from_db()
    assert member.rate == Decimal("1.5")


@pytest.mark.parametrize(
    ("rate", "kept"),
    [
        (0, Decimal("0")),
        (10, Decimal("10")),
        (2.125, Decimal("2.125")),
        ("3.25", Decimal("3.25")),
        (9.999, Decimal("9.999")),
        (0.1 + 0.2, Decimal("0.3")),  # 0.30000000000000004 from a browser's arithmetic
    ],
)
def test_rates_from_zero_to_ten_with_three_places(client_for, admin, member, rate, kept):
    assert_ok(change_rate(client_for(admin), member, rate), UPDATED)

    member.refresh_from_db()
    assert member.rate == kept


def test_unchanged_rate_succeeds_as_up_to_date(client_for, admin, member):
    member.rate = Decimal("2.5")
    member.save()

    data = assert_ok(change_rate(client_for(admin), member, 2.5), UNCHANGED)

    assert (data["rate"], data["previous_rate"]) == (2.5, 2.5)


def test_the_new_rate_is_on_the_users_list_row(client_for, admin, member):
    change_rate(client_for(admin), member, 0.75)

    rows = assert_ok(client_for(admin).get("/user/list", {"username": "alice"}), "获取用户列表成功")

    assert [row["rate"] for row in rows["users"]] == [0.75]


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        (-0.001, "费率不能小于0"),
        (10.001, "费率不能超过10"),
        (1e308, "费率不能超过10"),
        (1.2345, "费率最多保留3位小数"),
        ("abc", "费率必须是数字"),
        ("", "费率必须是数字"),
        (True, "费率必须是数字"),
        ([1], "费率必须是数字"),
        ({"value": 1}, "费率必须是数字"),
        (None, "费率不能为空"),
    ],
)
def test_bad_rates_are_400(client_for, admin, member, rate, message):
    assert_refused(change_rate(client_for(admin), member, rate), 400, message)

    member.refresh_from_db()
    assert member.rate == 1


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_rates_are_a_malformed_body(client_for, admin, member, literal):
    body = f'{{"target_user_id": "{member.uuid}", "rate": {literal}}}'

    assert_refused(post_raw(client_for(admin), UPDATE_RATE, body), 400, BAD_JSON)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf"])
def test_non_finite_rates_as_text_are_no_number(client_for, admin, member, text):
    assert_refused(change_rate(client_for(admin), member, text), 400, "费率必须是数字")


def test_missing_rate_is_400(client_for, admin, member):
    response = post(client_for(admin), UPDATE_RATE, {"target_user_id": str(member.uuid)})

    assert_refused(response, 400, "费率不能为空")


@pytest.mark.parametrize("target_user_id", ["42", "not-a-uuid", "", None])
def test_target_that_is_no_uuid_is_400(client_for, admin, target_user_id):
    response = post(client_for(admin), UPDATE_RATE, {"target_user_id": target_user_id, "rate": 2})

    assert_refused(response, 400, "用户ID格式不正确")


def test_unknown_target_is_404(client_for, admin):
    assert_refused(change_rate(client_for(admin), str(uuid.uuid4()), 2), 404, "目标用户不存在")


@pytest.mark.parametrize("role", [Role.AGENT, Role.USER])
def test_non_admins_are_403_before_the_body_is_read(client_for, member, role):
    caller = UserFactory(role=role)

    assert_refused(change_rate(client_for(caller), member, "junk"), 403, "仅管理员可修改用户费率")
    member.refresh_from_db()
    assert member.rate == 1


def test_missing_token_is_401(api_client, member):
    assert_refused(change_rate(api_client, member, 2), 401, MISSING_TOKEN)
