"""13. GET /points/transactions: the caller's own rows, newest first, paged and filtered."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from points import services
from tests.points.factories import PointsTransactionFactory
from tests.points.helpers import TRANSACTIONS, failed_spend, recharge, spend
from tests.rewriting_accounts.helpers import assert_ok, assert_refused

pytestmark = pytest.mark.django_db

LISTED = "查询积分交易记录成功"
ROW_KEYS = {
    "id",
    "profile_id",
    "transaction_type",
    "amount",
    "balance_after",
    "description",
    "reference_id",
    "user_input_file_url",
    "ai_response_file_url",
    "is_successful",
    "created_at",
}


def listing(client, **params) -> dict:
    return assert_ok(client.get(TRANSACTIONS, params), LISTED)


def ids(data: dict) -> list[int]:
    return [row["id"] for row in data["transactions"]]


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2023, 12, day, hour, tzinfo=UTC)


@pytest.fixture
def december(member) -> dict[str, int]:
    """One row of `member` on each of 1, 2 and 3 December 2023 at noon, and one at 23:30 on the
    2nd; their ids by name."""
    rows = {
        "first": PointsTransactionFactory(user=member, created_at=at(1)),
        "second": PointsTransactionFactory(user=member, created_at=at(2)),
        "second_late": PointsTransactionFactory(
            user=member, created_at=datetime(2023, 12, 2, 23, 30, tzinfo=UTC)
        ),
        "third": PointsTransactionFactory(user=member, created_at=at(3)),
    }
    return {name: row.pk for name, row in rows.items()}


# --- rows ----------------------------------------------------------------------------------------


def test_a_spend_row_has_every_documented_field(client_for, member):
    recharge(member, "150")
    row = services.points_spend(
        user=member,
        amount=Decimal("3.6"),
        description="AI降重任务消费",
        reference_id="onlyjc_98631379_1758017276712",
        user_input_file="rewriting/u/1/input.txt",
    )
    services.points_snapshot_attach(spend=row, ai_response_file="rewriting/u/1/output.txt")

    response = client_for(member).get(TRANSACTIONS)

    first = assert_ok(response, LISTED)["transactions"][0]
    assert set(first) == ROW_KEYS
    assert first["id"] == row.pk
    assert first["profile_id"] == member.pk
    assert first["transaction_type"] == "spend"
    assert (first["amount"], first["balance_after"]) == (-3.6, 146.4)
    assert first["description"] == "AI降重任务消费"
    assert first["reference_id"] == "onlyjc_98631379_1758017276712"
    assert first["is_successful"] is True
    assert (
        first["created_at"]
        == row.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    )
    assert first["user_input_file_url"].startswith("http://testserver/rewriting/snapshots/")
    assert first["ai_response_file_url"].startswith("http://testserver/rewriting/snapshots/")
    assert b'"amount":-3.6,' in response.content


def test_a_recharge_row_has_whole_numbers_and_no_snapshots(client_for, member):
    services.points_recharge(user=member, amount=Decimal("100"), reference_id="admin_topup_001")

    response = client_for(member).get(TRANSACTIONS)

    [row] = assert_ok(response, LISTED)["transactions"]
    assert (row["transaction_type"], row["amount"], row["balance_after"]) == ("recharge", 100, 100)
    assert type(row["amount"]) is int
    assert type(row["balance_after"]) is int
    assert (row["description"], row["reference_id"]) == ("管理员充值", "admin_topup_001")
    assert row["user_input_file_url"] is None
    assert row["ai_response_file_url"] is None
    assert b'"amount":100,' in response.content


def test_a_failed_spend_and_its_refund_are_listed(client_for, member):
    """A refund is answered as the recharge it is to the client (rewriting-api §14)."""
    recharge(member, "10")
    failed = failed_spend(member, "3")
    services.points_refund(user=member, transaction_id=failed.pk)

    rows = listing(client_for(member))["transactions"]

    assert [(r["transaction_type"], r["amount"], r["is_successful"]) for r in rows] == [
        ("recharge", 3, True),
        ("spend", -3, False),
        ("recharge", 10, True),
    ]
    assert rows[1]["description"] == "AI降重任务消费（已返还积分）"
    assert rows[0]["reference_id"] == f"refund:{failed.pk}"


def test_only_the_callers_rows(client_for, member, other):
    mine = recharge(member, "5")
    recharge(other, "7")
    spend(other, "1")

    data = listing(client_for(member))

    assert ids(data) == [mine.pk]
    assert data["pagination"]["total"] == 1


def test_newest_first(client_for, member):
    older = PointsTransactionFactory(user=member, created_at=at(1))
    newer = PointsTransactionFactory(user=member, created_at=at(3))
    middle = PointsTransactionFactory(user=member, created_at=at(2))

    assert ids(listing(client_for(member))) == [newer.pk, middle.pk, older.pk]


def test_rows_of_one_moment_newest_id_first(client_for, member):
    rows = [PointsTransactionFactory(user=member, created_at=at(1)) for _ in range(3)]

    assert ids(listing(client_for(member))) == [row.pk for row in reversed(rows)]


def test_no_rows(client_for, member):
    data = listing(client_for(member))

    assert data == {
        "transactions": [],
        "pagination": {
            "current_page": 1,
            "per_page": 20,
            "total": 0,
            "total_pages": 0,
            "has_next_page": False,
            "has_prev_page": False,
        },
    }


# --- paging --------------------------------------------------------------------------------------


def test_defaults_are_page_1_of_20(client_for, member):
    PointsTransactionFactory.create_batch(25, user=member)

    data = listing(client_for(member))

    assert len(data["transactions"]) == 20
    assert data["pagination"] == {
        "current_page": 1,
        "per_page": 20,
        "total": 25,
        "total_pages": 2,
        "has_next_page": True,
        "has_prev_page": False,
    }


def test_pages_follow_one_another(client_for, member):
    rows = PointsTransactionFactory.create_batch(5, user=member)
    newest_first = [row.pk for row in reversed(rows)]
    client = client_for(member)

    first, second, third = (listing(client, page=n, limit=2) for n in (1, 2, 3))

    assert ids(first) + ids(second) + ids(third) == newest_first
    assert third["pagination"] == {
        "current_page": 3,
        "per_page": 2,
        "total": 5,
        "total_pages": 3,
        "has_next_page": False,
        "has_prev_page": True,
    }


def test_a_page_past_the_end_is_empty(client_for, member):
    PointsTransactionFactory.create_batch(3, user=member)

    data = listing(client_for(member), page=5, limit=2)

    assert data["transactions"] == []
    assert data["pagination"]["total"] == 3
    assert (data["pagination"]["has_next_page"], data["pagination"]["has_prev_page"]) == (
        False,
        True,
    )


def test_limit_100_is_allowed(client_for, member):
    PointsTransactionFactory.create_batch(3, user=member)

    assert listing(client_for(member), limit=100)["pagination"]["per_page"] == 100


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": 0}, "页码必须大于0"),
        ({"page": -1}, "页码必须大于0"),
        ({"page": "abc"}, "页码必须是整数"),
        ({"page": "1.5"}, "页码必须是整数"),
        ({"limit": 101}, "每页数量不能超过100"),
        ({"limit": 0}, "每页数量必须大于0"),
        ({"limit": "x"}, "每页数量必须是整数"),
    ],
)
def test_bad_paging_is_400(client_for, member, params, message):
    assert_refused(client_for(member).get(TRANSACTIONS, params), 400, message)


# --- filters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transaction_type", "amounts", "answered"),
    [
        ("recharge", [3, 10], {"recharge"}),  # the refund among the recharges
        ("spend", [-3], {"spend"}),
        ("transfer", [], set()),
        ("refund", [3], {"recharge"}),  # ours: only the refunds, still answered as recharges
    ],
)
def test_filter_by_type(client_for, member, transaction_type, amounts, answered):
    recharge(member, "10")
    failed = failed_spend(member, "3")
    services.points_refund(user=member, transaction_id=failed.pk)

    data = listing(client_for(member), transaction_type=transaction_type)
    rows = data["transactions"]

    assert [row["amount"] for row in rows] == amounts
    assert {row["transaction_type"] for row in rows} == answered
    assert data["pagination"]["total"] == len(amounts)


def test_an_empty_type_is_no_filter(client_for, member):
    recharge(member, "10")
    spend(member, "3")

    assert len(listing(client_for(member), transaction_type="")["transactions"]) == 2


@pytest.mark.parametrize("transaction_type", ["gift", "SPEND", "recharge,spend"])
def test_an_unknown_type_is_400(client_for, member, transaction_type):
    response = client_for(member).get(TRANSACTIONS, {"transaction_type": transaction_type})

    assert_refused(response, 400, "交易类型参数错误，必须为recharge、spend、transfer或refund")


def test_iso_times_bound_the_range(client_for, member, december):
    data = listing(
        client_for(member),
        start_date="2023-12-02T00:00:00.000Z",
        end_date="2023-12-02T23:59:59.999Z",
    )

    assert ids(data) == [december["second_late"], december["second"]]


def test_iso_times_are_inclusive(client_for, member, december):
    data = listing(
        client_for(member),
        start_date="2023-12-01T12:00:00.000Z",
        end_date="2023-12-02T12:00:00.000Z",
    )

    assert ids(data) == [december["second"], december["first"]]


def test_an_offset_moves_the_bound(client_for, member, december):
    # 2023-12-03T08:00+08:00 is midnight UTC on the 3rd: the rows of the 3rd are after it.
    data = listing(client_for(member), end_date="2023-12-03T08:00:00+08:00")

    assert december["third"] not in ids(data)
    assert december["second_late"] in ids(data)


def test_an_offset_postgresql_would_refuse_is_read_in_utc(client_for, member, december):
    # Found by the fuzz run: PostgreSQL refuses offsets past 15:59 that Python reads (a 500).
    # 2023-12-02T23:30-23:30 is 2023-12-03T23:00 UTC: every December row is before it.
    data = listing(client_for(member), end_date="2023-12-02T23:30:00-23:30")

    assert december["third"] in ids(data)


def test_a_plain_end_date_includes_that_whole_day(client_for, member, december):
    data = listing(client_for(member), end_date="2023-12-02")

    assert ids(data) == [december["second_late"], december["second"], december["first"]]


def test_a_plain_start_date_starts_at_midnight(client_for, member, december):
    data = listing(client_for(member), start_date="2023-12-02")

    assert ids(data) == [december["third"], december["second_late"], december["second"]]


def test_one_plain_day_for_both_ends(client_for, member, december):
    data = listing(client_for(member), start_date="2023-12-02", end_date="2023-12-02")

    assert ids(data) == [december["second_late"], december["second"]]


def test_type_and_range_together(client_for, member, december):
    PointsTransactionFactory(
        user=member, transaction_type="spend", amount=Decimal("-1"), created_at=at(2, 13)
    )

    data = listing(
        client_for(member),
        transaction_type="recharge",
        start_date="2023-12-02T00:00:00.000Z",
        page=1,
        limit=2,
    )

    assert ids(data) == [december["third"], december["second_late"]]
    assert data["pagination"]["total"] == 3


@pytest.mark.parametrize(
    "value",
    # The last is before the year 1 once in UTC (found by the fuzz run: a 500).
    ["yesterday", "2023-13-01", "2023-12-32", "12/01/2023", "1", "0001-01-01T00:00:00+01:00"],
)
def test_a_bad_start_date_is_400(client_for, member, value):
    response = client_for(member).get(TRANSACTIONS, {"start_date": value})

    assert_refused(response, 400, "开始日期格式不正确")


@pytest.mark.parametrize(
    "value", ["tomorrow", "2023-02-30", "2023-12-01T25:00:00Z", "9999-12-31T23:00:00-01:00"]
)
def test_a_bad_end_date_is_400(client_for, member, value):
    response = client_for(member).get(TRANSACTIONS, {"end_date": value})

    assert_refused(response, 400, "结束日期格式不正确")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2023-12-02T00:00:00.000Z", "2023-12-01T23:59:59.999Z"),
        ("2023-12-03", "2023-12-02"),
    ],
)
def test_a_start_after_the_end_is_400(client_for, member, start, end):
    response = client_for(member).get(TRANSACTIONS, {"start_date": start, "end_date": end})

    assert_refused(response, 400, "开始日期不能晚于结束日期")


# --- queries -------------------------------------------------------------------------------------


def test_listing_costs_the_same_queries_for_more_rows(
    client_for, member, django_assert_num_queries
):
    client = client_for(member)
    recharge(member, "10")
    for n in range(2):
        services.points_spend(
            user=member,
            amount=Decimal("1"),
            description="任务",
            reference_id=f"task-{n}",
            user_input_file=f"rewriting/u/{n}/input.txt",
        )

    # the session with its user, the count, the page
    with django_assert_num_queries(3):
        assert len(listing(client)["transactions"]) == 3

    PointsTransactionFactory.create_batch(12, user=member, user_input_file="rewriting/u/x.txt")
    with django_assert_num_queries(3):
        assert len(listing(client)["transactions"]) == 15
