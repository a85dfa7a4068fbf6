"""`/user/list` with `phone`, `username` and `keyword` over 100,000 users: every query the route
makes reads accounts_user through an index (trigram indexes for the substrings), none scans it."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from tests.factories import UserFactory
from tests.rewriting_accounts.helpers import USER_LIST, assert_ok
from tests.scale.test_query_plans import plan_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's"),
]

USERS = 100_000
INVITEE_EVERY = 50  # the agent invited every 50th user: 2,000 of them

# Usernames and phones that share few trigrams, as real ones do: `u` and ten hex digits of the
# number's MD5; `+861` and a ten-digit permutation of the number (7919 is prime to 10**10).
USERS_SQL = """
    INSERT INTO accounts_user (password, uuid, email, username, phone, role, is_active, rate,
        invite_code, created_at, invited_by_id)
    SELECT '!', gen_random_uuid(), format('search%%s@example.com', n),
        'u' || substr(md5(n::text), 1, 10),
        '+861' || lpad(((n::bigint * 7919) %% 10000000000)::text, 10, '0'),
        'user', true, 1, 'S' || to_char(n, 'FM00000'),
        now() - n * interval '1 minute',
        CASE WHEN n %% %(every)s = 0 THEN %(agent)s END
    FROM generate_series(1, %(users)s) AS n
"""


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker) -> Iterator[tuple[User, User]]:
    with django_db_blocker.unblock():
        admin = UserFactory(username="searchadmin", role=Role.ADMIN)
        agent = UserFactory(username="searchagent", role=Role.AGENT)
        with connection.cursor() as cursor:
            cursor.execute(USERS_SQL, {"users": USERS, "every": INVITEE_EVERY, "agent": agent.pk})
            cursor.execute("VACUUM ANALYZE accounts_user")
        yield admin, agent
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE accounts_user CASCADE")


def user_queries_of(client, **params) -> tuple[dict, list[str]]:
    """The answer to `/user/list?params`, and the SQL of its reads of accounts_user."""
    with CaptureQueriesContext(connection) as queries:
        data = assert_ok(client.get(USER_LIST, params), "获取用户列表成功")
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    return data, reads


def assert_read_through_indexes(sql: str, expected: set[str]) -> None:
    nodes = plan_of(sql)
    scanned = {n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"}
    used = {n["Index Name"] for n in nodes if "Index Name" in n}
    assert "accounts_user" not in scanned, nodes
    assert used & expected, (used, nodes)


@pytest.mark.parametrize(
    ("params", "indexes"),
    [
        ({"phone": "13800"}, {"accounts_user_phone_trgm"}),
        ({"username": "a1b2"}, {"accounts_user_username_trgm"}),
        ({"username": "A1B2"}, {"accounts_user_username_trgm"}),
        (
            {"phone": "5555", "username": "ab"},
            {"accounts_user_phone_trgm"},
        ),
        (
            {"keyword": "c0ffe"},
            {"accounts_user_username_trgm", "accounts_user_phone_trgm", "accounts_user_email_trgm"},
        ),
    ],
)
def test_an_admins_search_reads_the_trigram_indexes(people, client_for, params, indexes):
    admin, _ = people

    data, reads = user_queries_of(client_for(admin), **params)

    assert len(reads) == 2  # the total and the page
    for sql in reads:
        assert_read_through_indexes(sql, indexes)
    assert data["total"] >= len(data["users"])


def test_the_total_is_every_match_not_the_page(people, client_for):
    admin, _ = people
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user WHERE phone LIKE '%%138%%'")
        matches = cursor.fetchone()[0]

    data, _ = user_queries_of(client_for(admin), phone="138", limit=10)

    assert matches > 10
    assert (data["total"], len(data["users"])) == (matches, 10)


def test_an_agents_search_reads_its_downline_by_index(people, client_for):
    _, agent = people

    data, reads = user_queries_of(client_for(agent), phone="861")

    assert data["total"] == USERS // INVITEE_EVERY
    for sql in reads:
        nodes = plan_of(sql)
        used = {n["Index Name"] for n in nodes if "Index Name" in n}
        scanned = {n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"}
        assert "accounts_user" not in scanned, nodes
        assert "user_invitees_newest" in used, used
