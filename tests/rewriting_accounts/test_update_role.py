"""5. POST /user/update-role: admins set anyone's role; the last active admin stays one."""

import uuid
from decimal import Decimal

import pytest

from accounts.models import Role
from points.models import PointsAccount
from tests.factories import UserFactory
from tests.rewriting_accounts.helpers import (
    CHANGED_USER_KEYS,
    INVALID_TOKEN,
    MILLISECOND_TIME,
    MISSING_TOKEN,
    UPDATE_ROLE,
    USER_LIST,
    assert_ok,
    assert_refused,
    bearer,
    post,
)

pytestmark = pytest.mark.django_db

UPDATED = "角色更新成功"
UNCHANGED = "角色已是最新状态"
ADMINS_ONLY = "仅管理员可修改用户角色"
BAD_USER_ID = "用户ID格式不正确"
ANSWER_KEYS = CHANGED_USER_KEYS | {"previous_role"}


def change_role(client, target, role: str = "agent"):
    target_user_id = str(target.uuid) if hasattr(target, "uuid") else target
    return post(client, UPDATE_ROLE, {"target_user_id": target_user_id, "role": role})


def test_admin_changes_a_role_and_gets_the_profile(client_for, admin):
    target = UserFactory(
        username="target", email="target@example.com", phone="+8613800138001", invited_by=admin
    )
    PointsAccount.objects.create(user=target, balance=Decimal("120"))

    data = assert_ok(change_role(client_for(admin), target, "agent"), UPDATED)

    assert set(data) == ANSWER_KEYS
    assert data["id"] == target.pk
    assert data["user_id"] == str(target.uuid)
    assert data["username"] == "target"
    assert data["email"] == "target@example.com"
    assert data["phone"] == "+8613800138001"
    assert data["role"] == "agent"
    assert data["previous_role"] == "user"
    assert data["points_balance"] == 120
    assert data["invite_code"] == target.invite_code
    assert data["invited_by"] == str(admin.uuid)
    assert MILLISECOND_TIME.fullmatch(data["created_at"])
    target.refresh_from_db()
    assert target.role == Role.AGENT


@pytest.mark.parametrize(("before", "after"), [("user", "admin"), ("agent", "user")])
def test_every_role_can_be_set(client_for, admin, before, after):
    target = UserFactory(role=before)

    data = assert_ok(change_role(client_for(admin), target, after), UPDATED)

    assert (data["previous_role"], data["role"]) == (before, after)
    target.refresh_from_db()
    assert target.role == after


def test_unchanged_role_succeeds_as_up_to_date(client_for, admin, member):
    data = assert_ok(change_role(client_for(admin), member, "user"), UNCHANGED)

    assert (data["previous_role"], data["role"]) == ("user", "user")


def test_a_new_role_takes_effect_on_the_targets_next_request(client_for, admin, member):
    member_client = client_for(member)
    change_role(client_for(admin), member, "admin")

    assert assert_ok(member_client.get(USER_LIST), "获取用户列表成功")["scope"] == "all"


@pytest.mark.parametrize("role", ["agent", "user"])
def test_last_active_admin_cannot_drop_their_own_admin_role(client_for, admin, role):
    UserFactory(role=Role.ADMIN, is_active=False)

    response = change_role(client_for(admin), admin, role)

    assert_refused(response, 400, "平台至少需要保留一位启用的管理员")
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_an_admin_may_step_down_while_another_remains(client_for, admin):
    UserFactory(role=Role.ADMIN)

    data = assert_ok(change_role(client_for(admin), admin, "user"), UPDATED)

    assert data["previous_role"] == "admin"


def test_last_admin_keeping_the_role_is_fine(client_for, admin):
    assert_ok(change_role(client_for(admin), admin, "admin"), UNCHANGED)


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.AGENT, Role.USER])
def test_non_admins_are_403(client_for, member, role):
    caller = UserFactory(role=role)

    response = change_role(client_for(caller), member, "admin")

    assert_refused(response, 403, ADMINS_ONLY)
    member.refresh_from_db()
    assert member.role == Role.USER


def test_a_user_cannot_promote_themself(client_for, member):
    assert_refused(change_role(client_for(member), member, "admin"), 403, ADMINS_ONLY)


@pytest.mark.parametrize("target_user_id", ["42", "not-a-uuid", "", "1234-5678"])
def test_target_that_is_no_uuid_is_400(client_for, admin, target_user_id):
    response = change_role(client_for(admin), target_user_id)

    assert_refused(response, 400, BAD_USER_ID)


def test_missing_target_is_400(client_for, admin):
    response = post(client_for(admin), UPDATE_ROLE, {"role": "agent"})

    assert_refused(response, 400, BAD_USER_ID)


def test_unknown_target_is_404(client_for, admin):
    response = change_role(client_for(admin), str(uuid.uuid4()))

    assert_refused(response, 404, "目标用户不存在")


def test_integer_id_is_not_the_target_user_id(client_for, admin, member):
    response = change_role(client_for(admin), str(member.pk))

    assert_refused(response, 400, BAD_USER_ID)


@pytest.mark.parametrize("role", ["root", "ADMIN", "", None])
def test_invalid_role_is_400(client_for, admin, member, role):
    response = change_role(client_for(admin), member, role)

    assert_refused(response, 400, "参数校验失败")


def test_missing_role_is_400(client_for, admin, member):
    response = post(client_for(admin), UPDATE_ROLE, {"target_user_id": str(member.uuid)})

    assert_refused(response, 400, "参数校验失败")


def test_missing_token_is_401(api_client, member):
    assert_refused(change_role(api_client, member), 401, MISSING_TOKEN)


def test_invalid_token_is_401(api_client, member):
    response = post(
        api_client,
        UPDATE_ROLE,
        {"target_user_id": str(member.uuid), "role": "admin"},
        **bearer("garbage"),
    )

    assert_refused(response, 401, INVALID_TOKEN)
