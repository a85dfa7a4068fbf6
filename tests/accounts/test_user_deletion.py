"""A user whose records are kept for good is disabled, never deleted; the console says why."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from contracts.services import contract_create
from points.services import points_recharge
from tests.factories import UserFactory
from tests.uploads import samples
from tickets.models import TicketAttachment
from tickets.services import ticket_create, ticket_message_post

pytestmark = pytest.mark.django_db


def delete_url(user: User) -> str:
    return reverse("admin:accounts_user_delete", args=[user.pk])


def test_a_user_with_contracts_and_points_is_not_deleted_and_staff_are_told_why(console, staff):
    customer = UserFactory()
    contract_create(owner=customer, title="服务合同", content_markdown="条款", actor=staff)
    points_recharge(user=customer, amount=Decimal(5))

    response = console.get(delete_url(customer))

    assert response.status_code == 302
    assert response.url == reverse("admin:accounts_user_change", args=[customer.pk])
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == (
        f"不能删除 {customer}：其合同 1 份、积分交易 1 条须永久保留。"
        "如需停止其使用，请停用该账号（取消“启用”）。"
    )
    assert console.post(delete_url(customer), {"post": "yes"}).status_code == 302
    assert User.objects.filter(pk=customer.pk).exists()


def test_a_user_with_nothing_kept_can_be_deleted(console):
    stray = UserFactory()

    page = console.get(delete_url(stray))
    assert page.status_code == 200
    console.post(delete_url(stray), {"post": "yes"})

    assert not User.objects.filter(pk=stray.pk).exists()


def test_there_is_no_bulk_delete_of_users(console):
    UserFactory()
    page = console.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert 'value="delete_selected"' not in page


def test_a_deleted_users_ticket_attachments_leave_the_storage(
    console, local_storage, django_capture_on_commit_callbacks
):
    customer = UserFactory()
    ticket = ticket_create(
        creator=customer, title="截图", ticket_type="technical", content="见附件"
    )
    screenshot = SimpleUploadedFile("screen.png", samples.png())
    ticket_message_post(ticket_id=ticket.pk, author=customer, body="附图", files=[screenshot])
    [key] = TicketAttachment.objects.values_list("oss_key", flat=True)
    assert default_storage.exists(key)

    with django_capture_on_commit_callbacks(execute=True):
        console.post(delete_url(customer), {"post": "yes"})

    assert not User.objects.filter(pk=customer.pk).exists()
    assert not default_storage.exists(key)
