"""The plans PostgreSQL makes for the lists, on data made with `generate_series` (the bench's
data set at a smaller scale): each list is read through an index in its order, a deep page walks
index entries only, and no list scans a big table or sorts a customer's rows."""

import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from bench.dataset import HEAVY_EMAIL, STAFF_EMAIL, Scale, dataset_load
from csa.paging import page_query
from points.selectors import points_recharges_visible_to, points_transactions_of
from tickets.models import TicketStatus
from tickets.selectors import TicketState, ticket_list, ticket_page, ticket_total

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's"),
]

# The heavy customer owns a quarter of the tickets and under half of the ledger: enough for a
# plan over its rows to matter, not so much that scanning everything is as good.
SCALE = Scale(customers=200, per_customer=100, heavy_rows=15_000, fillers=300)
BIG_TABLES = {"tickets_ticket", "points_pointstransaction", "rewriting_rewritingtask"}


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        dataset_load(SCALE)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would have by now
        yield
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE accounts_user CASCADE")


@pytest.fixture
def heavy(data) -> User:
    return User.objects.get(email=HEAVY_EMAIL)


def plan_of(sql: str, params=None) -> list[dict]:
    """Every node of the plan of `sql` (with its parameters bound, or without any)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        root = cursor.fetchone()[0][0]["Plan"]
    nodes, todo = [], [root]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(node.get("Plans", []))
    return nodes


def plan_of_query(queryset) -> list[dict]:
    sql, params = queryset.query.sql_with_params()
    return plan_of(sql, params)


def indexes_used(nodes: list[dict]) -> set[str]:
    return {node["Index Name"] for node in nodes if "Index Name" in node}


def assert_no_scan_of_big_tables(nodes: list[dict]) -> None:
    scanned = {n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"}
    assert not scanned & BIG_TABLES, nodes
    # A sort may order the page's rows, never a customer's or a table's.
    assert all(n["Plan Rows"] <= 1000 for n in nodes if n["Node Type"] == "Sort"), nodes


def page(rows, skip: int, limit: int, total: int):
    return page_query(rows, skip, skip + limit, total=total)


def test_a_customers_first_page_reads_its_index_in_order(heavy):
    nodes = plan_of_query(page(ticket_list(user=heavy), 0, 10, SCALE.heavy_rows))

    assert "ticket_creator_newest" in indexes_used(nodes)
    assert not [n for n in nodes if n["Node Type"] == "Sort"]
    assert_no_scan_of_big_tables(nodes)


@pytest.mark.parametrize("skip", [SCALE.heavy_rows // 3, SCALE.heavy_rows - 100])
def test_a_deep_page_walks_index_entries_only(heavy, skip):
    nodes = plan_of_query(page(ticket_list(user=heavy), skip, 10, SCALE.heavy_rows))

    walks = [n for n in nodes if n.get("Index Name") == "ticket_creator_newest"]
    assert [n["Node Type"] for n in walks] == ["Index Only Scan"]
    # Near the end the walk starts from the oldest entries.
    older_half = skip > SCALE.heavy_rows // 2
    assert walks[0]["Scan Direction"] == ("Backward" if older_half else "Forward")
    assert_no_scan_of_big_tables(nodes)


def test_a_page_far_from_both_ends_walks_from_a_bookmark(heavy):
    rows = ticket_list(user=heavy)
    skip = SCALE.heavy_rows // 2

    nodes = plan_of_query(page_query(rows, skip, skip + 10, total=SCALE.heavy_rows, bookmarks="b"))

    [walk] = [n for n in nodes if n.get("Index Name") == "ticket_creator_newest"]
    assert walk["Node Type"] == "Index Only Scan"
    assert "created_at >=" in walk["Index Cond"]  # it starts at the bookmark
    assert_no_scan_of_big_tables(nodes)


def test_a_status_filter_has_its_own_index(heavy):
    rows = ticket_list(user=heavy, status=TicketStatus.REPLIED)
    total = ticket_total(user=heavy, status=TicketStatus.REPLIED)

    for skip in (0, total // 3):
        nodes = plan_of_query(page(rows, skip, 10, total))
        assert "ticket_creator_status" in indexes_used(nodes)
        assert_no_scan_of_big_tables(nodes)


@pytest.mark.parametrize(
    ("state", "index"),
    [(TicketState.OPEN, "ticket_creator_open"), (TicketState.CLOSED, "ticket_creator_closed")],
)
def test_a_customers_open_and_closed_lists_read_their_own_index(heavy, state, index):
    rows = ticket_list(user=heavy, state=state)
    total = rows.count()
    with CaptureQueriesContext(connection) as queries:
        ticket_page(user=heavy, status=None, state=state, start=0, stop=10)
    [first_page] = [q["sql"] for q in queries if re.search(r"\btickets_ticket\b", q["sql"])]
    first, deep = plan_of(first_page), plan_of_query(page(rows, total // 3, 10, total))

    assert not [n for n in first if n["Node Type"] == "Sort"]  # the hand-written statement's
    for nodes in (first, deep):
        assert index in indexes_used(nodes)
        assert_no_scan_of_big_tables(nodes)


def test_a_ledger_page_deep_in_the_history_walks_its_index(heavy):
    rows = points_transactions_of(user=heavy)

    nodes = plan_of_query(page(rows, SCALE.heavy_rows // 3, 20, SCALE.heavy_rows))

    assert "points_txn_user_newest" in indexes_used(nodes)
    assert_no_scan_of_big_tables(nodes)


def test_the_recharges_staff_list_have_their_own_index(data):
    recharges, _ = points_recharges_visible_to(user=User.objects.get(email=STAFF_EMAIL))

    nodes = plan_of_query(page(recharges, 0, 20, SCALE.customers + 1))

    assert "points_txn_credits_newest" in indexes_used(nodes)
    assert_no_scan_of_big_tables(nodes)


def test_the_exact_total_reads_no_ticket(heavy):
    with CaptureQueriesContext(connection) as queries:
        total = ticket_total(user=heavy)
        everyone = ticket_total(user=User.objects.get(email=STAFF_EMAIL))

    assert (total, everyone) == (SCALE.heavy_rows, SCALE.tickets)
    assert not [q for q in queries if '"tickets_ticket"' in q["sql"]]


def console_plans(client, url: str, **query) -> list[list[dict]]:
    """The plans of the changelist's queries that read a big table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200
    return [
        plan_of(q["sql"])
        for q in queries
        if q["sql"].startswith("SELECT") and any(f'"{t}"' in q["sql"] for t in BIG_TABLES)
    ]


@pytest.fixture
def staff_console(data, client):
    client.force_login(User.objects.get(email=STAFF_EMAIL))
    return client


@pytest.mark.parametrize(
    ("changelist", "query", "index"),
    [
        ("tickets_ticket", {}, "ticket_awaiting_due"),
        ("tickets_ticket", {"first_response": "all"}, "ticket_newest"),
        ("tickets_ticket", {"status__exact": "pending"}, "ticket_status_newest"),
        ("tickets_ticket", {"q": HEAVY_EMAIL}, "ticket_creator_newest"),
        ("tickets_ticket", {"q": "发票抬头需"}, "tickets_ticket_title_trgm"),
        ("tickets_ticket", {"q": "发票"}, "ticket_newest"),
        ("points_pointstransaction", {}, "points_txn_newest"),
        ("points_pointstransaction", {"q": "heavy"}, "points_txn_user_newest"),
        ("points_pointstransaction", {"is_successful__exact": "0"}, "points_txn_failed_newest"),
        ("rewriting_rewritingtask", {}, "rewriting_task_newest"),
        ("rewriting_rewritingtask", {"status__exact": "failed"}, "rewriting_task_status_newest"),
        ("rewriting_rewritingtask", {"q": HEAVY_EMAIL}, "rewriting_task_owner_newest"),
    ],
)
def test_console_lists_read_an_index_and_count_no_table(staff_console, changelist, query, index):
    app, model = changelist.split("_", 1)
    plans = console_plans(staff_console, reverse(f"admin:{app}_{model}_changelist"), **query)

    assert plans
    assert any(index in indexes_used(nodes) for nodes in plans)
    for nodes in plans:
        assert_no_scan_of_big_tables(nodes)
