"""The console's big lists (csa.admin_lists): capped counts, searches an index can serve, and a
short term looked for among the newest rows only."""

import re

import pytest
from django.urls import reverse

from csa import admin_lists
from tests.factories import UserFactory
from tests.points.factories import PointsTransactionFactory
from tests.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db

TICKETS = reverse("admin:tickets_ticket_changelist")
LEDGER = reverse("admin:points_pointstransaction_changelist")
USERS = reverse("admin:accounts_user_changelist")


def page(console, url: str, **query) -> str:
    response = console.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_list_longer_than_the_cap_says_so_and_pages_up_to_it(console, monkeypatch):
    monkeypatch.setattr(admin_lists.CappedCountPaginator, "cap", 3)
    for _ in range(5):
        TicketFactory()

    listed = page(console, TICKETS)

    assert "超过 3 个工单" in listed
    assert "5 个工单" not in listed


def test_a_short_list_gives_its_exact_count(console):
    TicketFactory()
    TicketFactory()

    assert "2 个工单" in page(console, TICKETS)


def test_tickets_are_found_by_id_customer_name_or_title(console):
    alice = UserFactory(email="alice@corp.example", username="alice_w", phone="+8613800000001")
    invoice = TicketFactory(creator=alice, title="发票抬头需要修改")
    other = TicketFactory(title="网站打不开")

    for term in [str(invoice.pk), "ALICE@corp.example", "alice_w", "+8613800000001", "ice@co"]:
        found = page(console, TICKETS, q=term)
        assert "发票抬头需要修改" in found and "网站打不开" not in found, term
    by_title = page(console, TICKETS, q="抬头需要")
    assert "发票抬头需要修改" in by_title and "网站打不开" not in by_title
    assert "网站打不开" in page(console, TICKETS, q=str(other.pk))


def test_a_short_term_is_looked_for_among_the_newest(console, monkeypatch):
    monkeypatch.setattr(admin_lists, "SHORT_TERM_WINDOW", 2)
    TicketFactory(title="发票问题（旧）")
    TicketFactory(title="网站打不开")
    TicketFactory(title="发票问题（新）")

    found = page(console, TICKETS, q="发票")

    assert "发票问题（新）" in found
    assert "发票问题（旧）" not in found  # outside the newest two
    assert "只在最新的 2 条记录中查找" in found


def test_the_ledger_is_found_by_user_id_or_reference(console):
    bob = UserFactory(username="bob_w")
    mine = PointsTransactionFactory(user=bob, reference_id="order-42")
    PointsTransactionFactory(reference_id="order-43")

    def ids(**query) -> set[int]:
        listed = page(console, LEDGER, **query)
        return {int(pk) for pk in re.findall(r"/pointstransaction/(\d+)/change/", listed)}

    assert ids(q="bob_w") == {mine.pk}
    assert ids(q="order-42") == {mine.pk}
    assert ids(q=str(mine.pk)) == {mine.pk}
    assert ids(q="99999999999999999999999") == set()  # no id a bigint holds: no 500


def test_users_are_found_by_a_part_of_a_name(console):
    UserFactory(email="carol@shop.example", username="carol_c")
    UserFactory(email="dave@shop.example", username="dave_d")

    found = page(console, USERS, q="rol@sh")

    assert "carol@shop.example" in found and "dave@shop.example" not in found
