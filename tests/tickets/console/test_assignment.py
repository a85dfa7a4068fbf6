"""The ticket page's 负责人: a select of active staff, saved through the assign service."""

import re

import pytest

from accounts.models import Role
from tests.factories import UserFactory
from tests.tickets.console.pages import change_url, page
from tests.tickets.factories import TicketFactory
from tickets import services

pytestmark = pytest.mark.django_db


def assignee_options(shown: str) -> list[str]:
    select = re.search(r'<select name="assignee".*?</select>', shown, flags=re.DOTALL)[0]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_the_select_offers_active_staff_only(console, colleague, customer):
    UserFactory(email="former@example.com", role=Role.ADMIN, is_active=False)
    ticket = TicketFactory(creator=customer)

    options = assignee_options(page(console, change_url(ticket)))

    assert options == ["---------", "colleague@example.com", "staff@example.com"]


def test_a_former_colleague_stays_shown_and_kept_until_reassigned(
    console, staff, colleague, post_page
):
    ticket = TicketFactory()
    services.ticket_assign(ticket_id=ticket.pk, assignee=colleague, actor=staff)
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])

    assert "colleague@example.com" in assignee_options(page(console, change_url(ticket)))
    post_page(ticket, reply="已处理")

    ticket.refresh_from_db()
    assert ticket.assignee == colleague and ticket.feedback == "已处理"


def test_assign_a_colleague_then_nobody(console, staff, colleague, post_page):
    ticket = TicketFactory()

    assigned = post_page(ticket, assignee=colleague.pk)

    assert assigned.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == colleague
    shown = page(console, change_url(ticket))
    assert "<td>负责人</td><td>—</td><td>colleague@example.com</td>" in shown

    post_page(ticket, assignee="")

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.changes.filter(field="assignee").count() == 2


def test_assign_and_reply_at_once(console, staff, post_page):
    ticket = TicketFactory()

    post_page(ticket, assignee=staff.pk, reply="我来处理")

    ticket.refresh_from_db()
    assert ticket.assignee == staff and ticket.feedback == "我来处理"


def test_a_customer_cannot_be_assigned(console, customer, post_page):
    ticket = TicketFactory()

    refused = post_page(ticket, assignee=customer.pk)

    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None
