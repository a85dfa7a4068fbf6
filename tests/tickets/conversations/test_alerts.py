"""Who is e-mailed as the conversation goes on: staff when the customer writes (the alert list,
the subscribed active staff, the assignee), the customer at each staff reply; always after the
change commits, and a mail server that is down never costs the message."""

import pytest
from django.core import mail

from accounts.models import Role
from tests.factories import UserFactory
from tests.tickets.conversations.conftest import post_message
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.models import TicketAlertSubscription, TicketType

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.accounts.failing_email.FailingEmailBackend"


@pytest.fixture
def alerted(settings, staff) -> list[str]:
    """Everyone to be alerted of a technical ticket, and some who are not."""
    settings.TICKET_ALERT_EMAILS = ["support@example.com"]
    TicketAlertSubscription.objects.create(user=staff, ticket_type=TicketType.TECHNICAL)
    gone = UserFactory(email="gone@example.com", role=Role.ADMIN, is_active=False)
    TicketAlertSubscription.objects.create(user=gone, ticket_type=TicketType.TECHNICAL)
    finance = UserFactory(email="finance@example.com", role=Role.ADMIN)
    TicketAlertSubscription.objects.create(user=finance, ticket_type=TicketType.FINANCIAL)
    return ["support@example.com", staff.email]


def test_staff_are_alerted_of_a_follow_up_after_commit_only(
    auth_client, ticket, alerted, staff, django_capture_on_commit_callbacks
):
    assignee = UserFactory(email="owner@example.com", role=Role.ADMIN)
    services.ticket_assign(ticket_id=ticket.pk, assignee=assignee, actor=staff)

    with django_capture_on_commit_callbacks() as callbacks:
        post_message(auth_client, ticket.pk, "补充：重新登录后依然很慢")
    assert mail.outbox == []

    for callback in callbacks:
        callback()
    [alert] = mail.outbox
    assert sorted(alert.to) == sorted([*alerted, assignee.email])
    assert alert.subject == f"工单有新消息：{ticket.title}"
    assert "补充：重新登录后依然很慢" in alert.body


def test_a_new_ticket_alerts_staff(auth_client, alerted, django_capture_on_commit_callbacks):
    ticket = {"title": "无法登录", "ticket_type": "technical", "content": "一直转圈"}

    with django_capture_on_commit_callbacks(execute=True):
        auth_client.post("/api/tickets", ticket, format="json")

    [alert] = mail.outbox
    assert sorted(alert.to) == sorted(alerted)
    assert alert.subject == "新工单：无法登录"


def test_no_alert_list_no_alert(auth_client, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_message(auth_client, ticket.pk)

    assert mail.outbox == []


def test_the_customer_is_emailed_at_each_staff_reply(
    auth_client, user, ticket, staff_reply, django_capture_on_commit_callbacks
):
    for feedback in ("请提供报错截图。", "已修复，请刷新页面后重试。"):
        with django_capture_on_commit_callbacks(execute=True):
            staff_reply(ticket, feedback)
        post_message(auth_client, ticket.pk)

    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([user.email], f"您的工单「{ticket.title}」已回复")
    ] * 2
    assert ["请提供报错截图。" in m.body for m in mail.outbox] == [True, False]
    assert "已修复，请刷新页面后重试。" in mail.outbox[1].body


def test_a_failing_mail_server_loses_no_message(
    auth_client, ticket, staff_reply, alerted, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING_BACKEND

    with django_capture_on_commit_callbacks(execute=True):
        posted = post_message(auth_client, ticket.pk, "补充：重新登录后依然很慢")
        staff_reply(ticket, "已修复。")

    assert posted.status_code == 201
    assert [m.body for m in ticket.messages.order_by("created_at", "id")][1:] == [
        "补充：重新登录后依然很慢",
        "已修复。",
    ]
    failures = [r for r in caplog.records if r.name == "csa.notifications"]
    assert len(failures) == 2


def test_a_ticket_of_another_type_alerts_only_the_alert_list(
    alerted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        TicketFactory(ticket_type=TicketType.BUSINESS)

    assert [m.to for m in mail.outbox] == [["support@example.com"]]
