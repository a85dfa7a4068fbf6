"""GET /api/tickets/{id}/messages: the thread, oldest first, paged as the portal's lists are,
in the same few queries however many messages and attachments a page holds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.tickets.conversations.conftest import messages_url, pdf, png, post_message
from tickets.models import TicketMessage

pytestmark = pytest.mark.django_db


def conversation(client, ticket, staff_reply, rounds: int) -> None:
    """`rounds` of the customer writing with two files and staff answering with one, each a
    minute after the last (the opening message is the first)."""
    for n in range(rounds):
        post_message(client, ticket.pk, f"第{n}次追问", files=[png(), pdf()])
        staff_reply(ticket, f"第{n}次回复", files=[pdf("说明.pdf")])
    start = timezone.now() - timedelta(days=1)
    for minutes, message in enumerate(ticket.messages.order_by("created_at", "id")):
        TicketMessage.objects.filter(pk=message.pk).update(
            created_at=start + timedelta(minutes=minutes)
        )


def test_the_thread_pages_with_skip_and_limit(auth_client, ticket, staff_reply):
    conversation(auth_client, ticket, staff_reply, rounds=6)  # 13 messages

    first = auth_client.get(messages_url(ticket.pk)).json()
    second = auth_client.get(messages_url(ticket.pk), {"skip": 10, "limit": 10}).json()

    assert first["total"] == second["total"] == 13
    bodies = [m["body"] for m in first["items"] + second["items"]]
    assert bodies[:3] == ["系统登录缓慢", "第0次追问", "第0次回复"]
    assert bodies[-1] == "第5次回复"
    assert len(first["items"]) == 10 and len(second["items"]) == 3
    times = [m["created_at"] for m in first["items"] + second["items"]]
    assert times == sorted(times)


def test_a_page_past_the_end_is_empty(auth_client, ticket):
    body = auth_client.get(messages_url(ticket.pk), {"skip": 10**20}).json()

    assert body == {"total": 1, "items": []}


@pytest.mark.parametrize(("params", "detail"), [({"limit": 101}, "limit不能大于100")])
def test_bad_paging_is_422(auth_client, ticket, params, detail):
    response = auth_client.get(messages_url(ticket.pk), params)

    assert response.status_code == 422
    assert response.json() == {"detail": detail}


@pytest.mark.parametrize("rounds", [0, 10])  # 1 message without files, or 21 with 30 files
def test_the_thread_costs_the_same_few_queries(
    auth_client, ticket, staff_reply, rounds, django_assert_num_queries
):
    conversation(auth_client, ticket, staff_reply, rounds)

    # session+user, the ticket, the count, the page (authors joined), its attachments
    with django_assert_num_queries(5):
        body = auth_client.get(messages_url(ticket.pk), {"limit": 100}).json()

    assert body["total"] == len(body["items"]) == 1 + 2 * rounds
    assert sum(len(m["attachments"]) for m in body["items"]) == 3 * rounds


def test_a_message_whose_author_is_gone_has_no_author(auth_client, ticket, staff, staff_reply):
    staff_reply(ticket)
    staff.delete()

    messages = auth_client.get(messages_url(ticket.pk)).json()["items"]

    assert [(m["from_staff"], m["author_email"]) for m in messages][1] == (True, None)


def test_staff_read_any_customers_thread(client_for, staff, ticket, staff_reply):
    staff_reply(ticket)

    body = client_for(staff).get(messages_url(ticket.pk)).json()

    assert [m["from_staff"] for m in body["items"]] == [False, True]
