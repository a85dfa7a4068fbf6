"""12. GET /points/recharges: admins see every recharge, agents their direct invitees'."""

from decimal import Decimal

import pytest

from accounts.models import Role
from points import services
from tests.factories import UserFactory
from tests.points.helpers import RECHARGES, failed_spend, recharge, spend
from tests.rewriting_accounts.helpers import (
    MILLISECOND_TIME,
    assert_ok,
    assert_refused,
    schema_properties,
)

pytestmark = pytest.mark.django_db

LISTED = "查询充值记录成功"
RECORD_KEYS = {
    "id",
    "profile_id",
    "amount",
    "balance_after",
    "description",
    "reference_id",
    "is_successful",
    "created_at",
    "profile",
}


def listing(client, **params) -> dict:
    return assert_ok(client.get(RECHARGES, params), LISTED)


def ids(data: dict) -> list[int]:
    return [record["id"] for record in data["records"]]


def test_admin_sees_every_recharge(client_for, admin, agent, member, other):
    rows = [recharge(member, "10"), recharge(other, "20"), recharge(agent, "30")]

    data = listing(client_for(admin))

    assert data["scope"] == "all"
    assert ids(data) == [row.pk for row in reversed(rows)]
    assert data["pagination"] == {
        "current_page": 1,
        "per_page": 20,
        "total": 3,
        "total_pages": 1,
        "has_next_page": False,
        "has_prev_page": False,
    }


def test_a_record_has_every_documented_field(client_for, admin):
    carol = UserFactory(
        username="carol",
        email="carol@example.com",
        phone="+8613800138001",
        role=Role.AGENT,
        invited_by=admin,
    )
    recharge(carol, "350")
    row = services.points_recharge(
        user=carol, amount=Decimal("100"), reference_id="admin_topup_202401", recorded_by=admin
    )

    response = client_for(admin).get(RECHARGES)

    record = assert_ok(response, LISTED)["records"][0]
    assert set(record) == RECORD_KEYS
    assert record["id"] == row.pk
    assert record["profile_id"] == carol.pk
    assert (record["amount"], record["balance_after"]) == (100, 450)
    assert type(record["amount"]) is int
    assert (record["description"], record["reference_id"]) == ("管理员充值", "admin_topup_202401")
    assert record["is_successful"] is True
    assert MILLISECOND_TIME.fullmatch(record["created_at"])
    assert record["profile"] == {
        "id": carol.pk,
        "user_id": str(carol.uuid),
        "username": "carol",
        "email": "carol@example.com",
        "phone": "+8613800138001",
        "role": "agent",
        "invited_by": admin.pk,
        "invited_by_username": "boss",
    }
    assert b'"amount":100,' in response.content


def test_a_profile_without_inviter(client_for, admin, member):
    recharge(member, "3.6")

    [record] = listing(client_for(admin))["records"]

    assert (record["amount"], record["balance_after"]) == (3.6, 3.6)
    assert record["profile"]["invited_by"] is None
    assert record["profile"]["invited_by_username"] is None


def test_schema_allows_a_profile_without_inviter(api_client, client_for, admin, member):
    # Found by the fuzz run: the schema wrote `invited_by_username` as a non-null string.
    recharge(member, "3.6")

    [record] = listing(client_for(admin))["records"]
    fields = schema_properties(api_client, "RechargeProfile")

    assert record["profile"]["invited_by_username"] is None
    assert fields["invited_by_username"]["nullable"] is True


def test_refunds_are_recharges_and_spends_are_not(client_for, admin, member):
    row = recharge(member, "10")
    spend(member, "1")
    refund = services.points_refund(user=member, transaction_id=failed_spend(member, "3").pk)

    data = listing(client_for(admin))

    assert ids(data) == [refund.pk, row.pk]
    assert data["pagination"]["total"] == 2
    assert data["records"][0]["reference_id"] == f"refund:{refund.refund_of_id}"


def test_a_staff_correction_is_listed_with_its_sign(client_for, admin, member):
    recharge(member, "10")
    services.points_adjust(
        user=member, amount=Decimal("-2.5"), description="扣回", recorded_by=admin
    )

    records = listing(client_for(admin))["records"]

    assert [(r["amount"], r["balance_after"]) for r in records] == [(-2.5, 7.5), (10, 10)]


def test_agent_sees_only_direct_invitees(client_for, agent, admin):
    direct = UserFactory(username="direct", invited_by=agent)
    grandchild = UserFactory(username="grandchild", invited_by=direct)
    stranger = UserFactory(username="stranger", invited_by=admin)
    mine = recharge(direct, "10")
    for someone in (grandchild, stranger, agent):
        recharge(someone, "5")

    data = listing(client_for(agent))

    assert data["scope"] == "downline"
    assert ids(data) == [mine.pk]
    assert data["records"][0]["profile"]["invited_by"] == agent.pk
    assert data["records"][0]["profile"]["invited_by_username"] == "agent007"


def test_agent_without_invitees_sees_nothing(client_for, agent, member):
    recharge(member, "10")

    data = listing(client_for(agent))

    assert (data["records"], data["pagination"]["total"], data["scope"]) == ([], 0, "downline")


def test_a_plain_user_is_403(client_for, member):
    recharge(member, "10")

    assert_refused(client_for(member).get(RECHARGES), 403, "无权访问充值记录")


def test_paged(client_for, admin, member):
    rows = [recharge(member, "1") for _ in range(5)]

    data = listing(client_for(admin), page=2, limit=2)

    assert ids(data) == [rows[2].pk, rows[1].pk]
    assert data["pagination"] == {
        "current_page": 2,
        "per_page": 2,
        "total": 5,
        "total_pages": 3,
        "has_next_page": True,
        "has_prev_page": True,
    }


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": 0}, "页码必须大于0"),
        ({"page": "abc"}, "页码必须是整数"),
        ({"limit": 101}, "每页数量不能超过100"),
        ({"limit": 0}, "每页数量必须大于0"),
    ],
)
def test_bad_paging_is_400(client_for, admin, params, message):
    assert_refused(client_for(admin).get(RECHARGES, params), 400, message)


# --- queries -------------------------------------------------------------------------------------


def recharge_invitees(agent, count: int) -> None:
    for _ in range(count):
        recharge(UserFactory(invited_by=agent), "10")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENT])
def test_listing_costs_the_same_queries_for_more_rows(
    client_for, agent, admin, role, django_assert_num_queries
):
    caller = admin if role == Role.ADMIN else agent
    client = client_for(caller)
    recharge_invitees(agent, 3)

    # the session with its user, the count, the page with each user and inviter
    with django_assert_num_queries(3):
        assert len(listing(client)["records"]) == 3

    recharge_invitees(agent, 9)
    with django_assert_num_queries(3):
        assert len(listing(client)["records"]) == 12
