"""The bench's bare ceiling and framework views (bench/) answer what our routes answer, so that
`make bench` compares like with like."""

import pytest
from django.db import connection

from bench.machine import comparable
from points import services as points
from tests.tickets.factories import TicketFactory
from tickets import services as tickets

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("bench.urls"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench's SQL is PostgreSQL's"),
]

READS = [
    ("/api/auth/me", "/bench/ceiling/me", "/bench/framework/me"),
    (
        "/api/tickets?limit=10",
        "/bench/ceiling/tickets?limit=10",
        "/bench/framework/tickets?limit=10",
    ),
    ("/points/transactions", "/bench/ceiling/transactions", "/bench/framework/transactions"),
]


@pytest.fixture
def history(user, staff):
    for n in range(12):
        ticket = TicketFactory(creator=user, title=f"工单 {n}")
        if n % 4 == 0:
            tickets.ticket_reply(ticket_id=ticket.pk, responder=staff, feedback="已处理")
    points.points_recharge(user=user, amount=100)


@pytest.mark.parametrize(("ours", "ceiling", "framework"), READS)
def test_the_ceiling_and_framework_views_answer_as_ours(
    auth_client, history, ours, ceiling, framework
):
    answers = [auth_client.get(path) for path in (ours, ceiling, framework)]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    ours_body = comparable(answers[0].json())
    assert comparable(answers[1].json()) == ours_body
    assert comparable(answers[2].json()) == ours_body


def test_a_ticket_filed_through_the_ceiling_is_counted(auth_client, user):
    body = {"title": "压测工单", "ticket_type": "technical", "content": "页面加载缓慢。"}

    filed = auth_client.post("/bench/ceiling/tickets", body, format="json")

    assert filed.status_code == 201
    listed = auth_client.get("/api/tickets").json()
    assert listed["total"] == 1
    assert listed["items"][0] == filed.json()
