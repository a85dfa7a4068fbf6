"""The console's common replies and ticket alert subscriptions."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory
from tests.tickets.console.pages import page
from tests.tickets.factories import TicketFactory
from tickets.models import CannedReply, TicketAlertSubscription, TicketType

pytestmark = pytest.mark.django_db

CANNED = reverse("admin:tickets_cannedreply_changelist")
SUBSCRIPTIONS = reverse("admin:tickets_ticketalertsubscription_changelist")


def test_common_replies_are_listed_searched_added_and_edited(console):
    CannedReply.objects.create(title="开具发票", body="发票三日内寄出。", ticket_type="financial")

    added = console.post(
        reverse("admin:tickets_cannedreply_add"),
        {"title": "刷新重试", "body": "请刷新后重试。", "ticket_type": ""},
    )
    reply = CannedReply.objects.get(title="刷新重试")
    edited = console.post(
        reverse("admin:tickets_cannedreply_change", args=[reply.pk]),
        {"title": "刷新重试", "body": "请清除缓存后重试。", "ticket_type": "technical"},
    )

    assert added.status_code == edited.status_code == 302
    reply.refresh_from_db()
    assert (reply.body, reply.ticket_type) == ("请清除缓存后重试。", "technical")
    listed = page(console, CANNED)
    assert "开具发票" in listed and "刷新重试" in listed and "适用类型" in listed
    found = page(console, CANNED, q="缓存")
    assert "刷新重试" in found and "开具发票" not in found
    assert "留空则适用于所有类型" in page(console, reverse("admin:tickets_cannedreply_add"))


def test_subscriptions_name_active_staff_only(console, staff, customer):
    UserFactory(email="former@example.com", role=Role.ADMIN, is_active=False)

    shown = page(console, reverse("admin:tickets_ticketalertsubscription_add"))

    assert "staff@example.com" in shown and "员工" in shown and "工单类型" in shown
    assert "former@example.com" not in shown and "customer@example.com" not in shown
    refused = console.post(
        reverse("admin:tickets_ticketalertsubscription_add"),
        {"user": customer.pk, "ticket_type": "technical"},
    )
    assert refused.status_code == 200 and not TicketAlertSubscription.objects.exists()


def test_a_subscription_made_in_the_console_alerts_its_staff_member(
    console, staff, django_capture_on_commit_callbacks
):
    added = console.post(
        reverse("admin:tickets_ticketalertsubscription_add"),
        {"user": staff.pk, "ticket_type": "financial"},
    )
    again = console.post(
        reverse("admin:tickets_ticketalertsubscription_add"),
        {"user": staff.pk, "ticket_type": "financial"},
    )

    assert added.status_code == 302
    assert "该员工已订阅此类型的工单提醒" in again.content.decode()
    assert "staff@example.com" in page(console, SUBSCRIPTIONS)
    with django_capture_on_commit_callbacks(execute=True):
        TicketFactory(title="发票开错", ticket_type=TicketType.FINANCIAL)
        TicketFactory(title="页面打不开", ticket_type=TicketType.TECHNICAL)
    assert [(m.to, m.subject) for m in mail.outbox] == [(["staff@example.com"], "新工单：发票开错")]
