"""A customer's ticket and the calls of its conversation, through the API and the services."""

from collections.abc import Callable, Sequence

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import UserFactory
from tests.tickets.factories import TicketFactory
from tests.uploads import samples
from tickets import services
from tickets.models import Ticket


def messages_url(ticket_id) -> str:
    return f"/api/tickets/{ticket_id}/messages"


def download_url_of(ticket_id, attachment_id) -> str:
    return f"/api/tickets/{ticket_id}/attachments/{attachment_id}/download-url"


def pdf(name: str = "截图说明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.pdf())


def png(name: str = "报错截图.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.png())


def post_message(
    client: APIClient, ticket_id, body: str = "补充：重新登录后依然很慢", files: Sequence = ()
):
    """The customer writes in their ticket: JSON without files, multipart with them."""
    if not files:
        return client.post(messages_url(ticket_id), {"body": body}, format="json")
    data = {"body": body, "attachments": list(files)}
    return client.post(messages_url(ticket_id), data, format="multipart")


@pytest.fixture
def ticket(user) -> Ticket:
    return TicketFactory(creator=user, content="系统登录缓慢")


@pytest.fixture
def staff_reply(staff) -> Callable[..., Ticket]:
    """Staff answer in the console, whose one entry point is the service."""

    def reply(ticket: Ticket, feedback: str = "已优化服务器性能，请重试。", files=()) -> Ticket:
        return services.ticket_reply(
            ticket_id=ticket.pk, responder=staff, feedback=feedback, files=files
        )

    return reply


@pytest.fixture
def stranger(db) -> User:
    return UserFactory(email="stranger@example.com")
