"""4. GET /user/list: admins see everyone, agents their direct invitees, users nobody."""

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
    USER_LIST,
    assert_ok,
    assert_refused,
    bearer,
    schema_properties,
)

pytestmark = pytest.mark.django_db

LISTED = "获取用户列表成功"
ROW_KEYS = CHANGED_USER_KEYS | {"invited_by_username"}
BAD_LIMIT = "limit必须是1到100之间的整数"


def listing(client, **params) -> dict:
    return assert_ok(client.get(USER_LIST, params), LISTED)


def usernames(data: dict) -> list[str]:
    return [row["username"] for row in data["users"]]


def test_admin_sees_everyone(client_for, admin, agent, member):
    data = listing(client_for(admin))

    assert set(data) == {"users", "total", "scope", "page", "limit"}
    assert data["scope"] == "all"
    assert data["total"] == 3
    assert sorted(usernames(data)) == ["agent007", "alice", "boss"]
    assert (data["page"], data["limit"]) == (1, 10)


def test_row_has_the_documented_fields(client_for, admin):
    invitee = UserFactory(
        username="carol", email="carol@example.com", phone="+8613700137000", invited_by=admin
    )
    PointsAccount.objects.create(user=invitee, balance=Decimal("12.5"))

    data = listing(client_for(admin), keyword="carol")

    [row] = data["users"]
    assert set(row) == ROW_KEYS
    assert row["id"] == invitee.pk
    assert row["user_id"] == str(invitee.uuid)
    assert row["username"] == "carol"
    assert row["email"] == "carol@example.com"
    assert row["phone"] == "+8613700137000"
    assert row["role"] == "user"
    assert row["points_balance"] == 12.5
    assert row["rate"] == 1
    assert row["invite_code"] == invitee.invite_code
    assert row["invited_by"] == str(admin.uuid)
    assert row["invited_by_username"] == "boss"
    assert MILLISECOND_TIME.fullmatch(row["created_at"])


def test_row_without_inviter_or_points(client_for, admin):
    [row] = listing(client_for(admin))["users"]

    assert row["invited_by"] is None
    assert row["invited_by_username"] is None
    assert row["points_balance"] == 0
    assert type(row["points_balance"]) is int


def test_schema_allows_the_row_without_inviter_or_points(api_client, client_for, admin):
    # Found by the fuzz run: the schema wrote both inviter fields as non-null strings, and points
    # as oneOf integer or number, which a whole number matches twice.
    [row] = listing(client_for(admin))["users"]
    fields = schema_properties(api_client, "ListedUser")

    assert row["invited_by"] is None
    assert fields["invited_by"]["nullable"] is True
    assert row["invited_by_username"] is None
    assert fields["invited_by_username"]["nullable"] is True
    assert row["points_balance"] == 0
    assert fields["points_balance"] == {"type": "number", "readOnly": True}


def test_agent_sees_only_direct_invitees(client_for, agent, admin):
    direct = UserFactory(username="direct", invited_by=agent)
    UserFactory(username="grandchild", invited_by=direct)
    UserFactory(username="stranger", invited_by=admin)
    UserFactory(username="loner")

    data = listing(client_for(agent))

    assert data["scope"] == "downline"
    assert data["total"] == 1
    assert usernames(data) == ["direct"]


def test_agent_keyword_stays_within_the_downline(client_for, agent):
    UserFactory(username="mine_one", invited_by=agent)
    UserFactory(username="mine_two", invited_by=agent)
    UserFactory(username="mine_not")

    data = listing(client_for(agent), keyword="mine")

    assert data["total"] == 2
    assert sorted(usernames(data)) == ["mine_one", "mine_two"]


def test_agent_without_invitees_sees_nobody(client_for, agent, member):
    data = listing(client_for(agent))

    assert (data["users"], data["total"], data["scope"]) == ([], 0, "downline")


def test_role_user_is_403(client_for, member):
    assert_refused(client_for(member).get(USER_LIST), 403, "无权访问")


def test_missing_token_is_401(api_client):
    assert_refused(api_client.get(USER_LIST), 401, MISSING_TOKEN)


def test_invalid_token_is_401(api_client):
    assert_refused(api_client.get(USER_LIST, **bearer("garbage")), 401, INVALID_TOKEN)


def test_disabled_admin_is_403(client_for, admin):
    client = client_for(admin)
    admin.is_active = False
    admin.save()

    assert_refused(client.get(USER_LIST), 403, "账号已被禁用")


# --- paging and search ---------------------------------------------------------------------


def test_newest_first_and_paged(client_for, admin):
    for n in range(5):
        UserFactory(username=f"u{n}")
    client = client_for(admin)

    first = listing(client, page=1, limit=2)
    third = listing(client, page=3, limit=2)
    beyond = listing(client, page=9, limit=2)

    assert usernames(first) == ["u4", "u3"]
    assert usernames(third) == ["u0", "boss"]
    assert beyond["users"] == []
    assert first["total"] == third["total"] == beyond["total"] == 6
    assert (third["page"], third["limit"]) == (3, 2)


def test_default_limit_is_ten(client_for, admin):
    UserFactory.create_batch(11)

    data = listing(client_for(admin))

    assert len(data["users"]) == 10
    assert data["total"] == 12


def test_limit_of_a_hundred_is_allowed(client_for, admin):
    assert listing(client_for(admin), limit=100)["limit"] == 100


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 101}, BAD_LIMIT),
        ({"limit": 0}, BAD_LIMIT),
        ({"limit": "many"}, BAD_LIMIT),
        ({"page": 0}, "page必须是正整数"),
        ({"page": "first"}, "page必须是正整数"),
    ],
)
def test_bad_paging_is_400(client_for, admin, params, message):
    assert_refused(client_for(admin).get(USER_LIST, params), 400, message)


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("ali", ["alice"]),
        ("ALICE", ["alice"]),
        ("example.org", ["bob"]),
        ("139001", ["bob"]),
        ("+86138", ["alice"]),
        ("nobody", []),
    ],
)
def test_keyword_searches_username_email_and_phone(client_for, admin, keyword, expected):
    UserFactory(username="alice", email="a@example.com", phone="+8613800138000")
    UserFactory(username="bob", email="b@example.org", phone="+8613900139000")

    data = listing(client_for(admin), keyword=keyword)

    assert usernames(data) == expected
    assert data["total"] == len(expected)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"phone": "138"}, ["alice", "alfred"]),
        ({"phone": "+86139"}, ["bob"]),
        ({"username": "AL"}, ["alice", "alfred"]),
        ({"username": "ice"}, ["alice"]),
        ({"phone": "138", "username": "fred"}, ["alfred"]),
        ({"phone": "139", "username": "ali"}, []),
        ({"phone": "", "username": ""}, ["alice", "alfred", "bob", "boss"]),
        ({"phone": "%"}, []),
        ({"username": "_"}, []),
    ],
)
def test_phone_and_username_are_substring_filters_both_must_match(
    client_for, admin, params, expected
):
    for name, phone in [("bob", "+8613900139000"), ("alfred", "+8613800138111")]:
        UserFactory(username=name, phone=phone)
    UserFactory(username="alice", phone="+8613800138000")

    data = listing(client_for(admin), **params)

    assert usernames(data) == expected
    assert data["total"] == len(expected)


def test_agent_filters_stay_within_the_downline(client_for, agent, admin):
    UserFactory(username="alice1", phone="+8613800138001", invited_by=agent)
    UserFactory(username="alice2", phone="+8613800138002", invited_by=admin)

    data = listing(client_for(agent), phone="138", username="alice")

    assert (usernames(data), data["total"], data["scope"]) == (["alice1"], 1, "downline")


def test_filters_keep_the_keyword(client_for, admin):
    UserFactory(username="alice", email="alice@example.org", phone="+8613800138000")
    UserFactory(username="alina", email="alina@example.com", phone="+8613800138001")

    data = listing(client_for(admin), keyword="example.org", username="ali")

    assert usernames(data) == ["alice"]


def test_total_counts_every_match_beyond_the_page(client_for, admin):
    for n in range(4):
        UserFactory(username=f"match{n}")
    UserFactory(username="other")

    data = listing(client_for(admin), keyword="match", limit=3)

    assert len(data["users"]) == 3
    assert data["total"] == 4


# --- queries -------------------------------------------------------------------------------


def make_rows(admin, count: int) -> None:
    """`count` rows with the admin: users with inviters and points accounts to load."""
    inviter = UserFactory(username=f"inviter{count}", invited_by=admin)
    for n in range(count - 2):
        invitee = UserFactory(username=f"row{count}_{n}", invited_by=inviter)
        PointsAccount.objects.create(user=invitee, balance=Decimal("12.5"))


@pytest.mark.parametrize("rows", [3, 6])
def test_query_count_does_not_grow_with_rows(client_for, admin, rows, django_assert_num_queries):
    make_rows(admin, rows)
    client = client_for(admin)

    with django_assert_num_queries(3):
        data = listing(client)
    with django_assert_num_queries(3):
        filtered = listing(client, username="row", phone="")

    assert len(filtered["users"]) == filtered["total"] == rows - 2
    assert all(row["rate"] == 1 for row in data["users"])
    assert len(data["users"]) == rows
    assert sum(row["invited_by"] is not None for row in data["users"]) == rows - 1
    assert sum(row["points_balance"] == 12.5 for row in data["users"]) == rows - 2


def test_agent_role_is_read_per_request(client_for, admin, member):
    client = client_for(member)
    assert_refused(client.get(USER_LIST), 403, "无权访问")

    member.role = Role.AGENT
    member.save()

    assert listing(client)["scope"] == "downline"
