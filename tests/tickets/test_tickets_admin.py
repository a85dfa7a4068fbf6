"""Staff answer tickets in the console; the customer sees the answer and is told by e-mail.
The conversation (several replies, attachments, closing, the queue): tests/tickets/console."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.tickets.factories import TicketFactory
from tickets.models import Ticket, TicketStatus, TicketType

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.accounts.failing_email.FailingEmailBackend"


def change_url(ticket: Ticket) -> str:
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


def reply(console, ticket: Ticket, feedback: str, capture):
    with capture(execute=True):
        return console.post(change_url(ticket), {"reply": feedback})


def test_staff_reply_and_the_customer_sees_it(
    console, staff, auth_client, user, django_capture_on_commit_callbacks
):
    ticket = TicketFactory(creator=user, title="系统登录缓慢")

    response = reply(
        console, ticket, "已优化服务器性能，请重试。", django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    body = auth_client.get(f"/api/tickets/{ticket.pk}").json()
    assert body["status"] == "replied"
    assert body["feedback"] == "已优化服务器性能，请重试。"
    assert body["responder_email"] == staff.email
    assert body["replied_at"] is not None
    edit = auth_client.put(f"/api/tickets/{ticket.pk}", {"title": "再改"}, format="json")
    assert edit.status_code == 400
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "已优化服务器性能，请重试。" in mail.outbox[0].body
    assert "系统登录缓慢" in mail.outbox[0].subject


def test_the_reply_email_is_plain_text(console, django_capture_on_commit_callbacks):
    ticket = TicketFactory(title="A & B <c>")

    reply(console, ticket, "x < y & z", django_capture_on_commit_callbacks)

    assert "x < y & z" in mail.outbox[0].body
    assert "&lt;" not in mail.outbox[0].body


def test_saving_without_feedback_changes_nothing(console, django_capture_on_commit_callbacks):
    ticket = TicketFactory()

    reply(console, ticket, "   ", django_capture_on_commit_callbacks)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING
    assert mail.outbox == []


def test_a_replied_ticket_is_answered_again_and_feedback_is_the_latest(
    console, staff, django_capture_on_commit_callbacks
):
    ticket = TicketFactory()
    reply(console, ticket, "第一次回复", django_capture_on_commit_callbacks)

    reply(console, ticket, "第二次回复", django_capture_on_commit_callbacks)

    ticket.refresh_from_db()
    assert ticket.feedback == "第二次回复"
    assert ticket.messages.filter(from_staff=True).count() == 2
    assert len(mail.outbox) == 2


def test_a_failed_email_keeps_the_reply(
    console, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    ticket = TicketFactory()

    response = reply(console, ticket, "已处理", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REPLIED
    assert "failed" in caplog.text


def test_the_change_page_shows_the_history(console, django_capture_on_commit_callbacks):
    ticket = TicketFactory()
    reply(console, ticket, "已处理", django_capture_on_commit_callbacks)

    page = console.get(change_url(ticket)).content.decode()

    assert "变更记录" in page
    assert "staff@example.com" in page
    # The field by its label, the choice by its label, an empty value as a dash.
    assert "<td>状态</td><td>待回复</td><td>已回复</td>" in page
    assert "<td>回复</td><td>—</td><td>已处理</td>" in page
    assert "+00:00" not in page  # a time as the console shows times
    assert "replied</td>" not in page


def test_the_history_button_shows_the_same_change_records(
    console, django_capture_on_commit_callbacks
):
    ticket = TicketFactory()
    reply(console, ticket, "已处理", django_capture_on_commit_callbacks)

    history = console.get(reverse("admin:tickets_ticket_history", args=[ticket.pk]))

    page = history.content.decode()
    assert history.status_code == 200
    assert "<td>状态</td><td>待回复</td><td>已回复</td>" in page
    assert "的变更记录" in page


def test_staff_filter_and_search_tickets(console):
    TicketFactory(title="发票问题", ticket_type=TicketType.FINANCIAL)
    TicketFactory(title="网站打不开", ticket_type=TicketType.TECHNICAL, creator__email="x@corp.com")
    url = reverse("admin:tickets_ticket_changelist")

    financial = console.get(url, {"ticket_type__exact": "financial"}).content.decode()
    by_email = console.get(url, {"q": "x@corp.com"}).content.decode()
    by_title = console.get(url, {"q": "发票"}).content.decode()
    pending = console.get(url, {"status__exact": "pending"}).content.decode()

    assert "发票问题" in financial and "网站打不开" not in financial
    assert "网站打不开" in by_email and "发票问题" not in by_email
    assert "发票问题" in by_title and "网站打不开" not in by_title
    assert "发票问题" in pending and "网站打不开" in pending


def test_customers_cannot_open_the_console(user):
    client = Client()
    client.force_login(user)

    assert client.get(reverse("admin:tickets_ticket_changelist")).status_code == 302
