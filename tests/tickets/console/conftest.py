"""Staff at the console's tickets: a customer who writes, a colleague, the ticket page's form."""

from collections.abc import Callable

import pytest

from accounts.models import Role, User
from tests.factories import UserFactory
from tests.tickets.console.pages import change_url
from tickets.models import Ticket


@pytest.fixture
def customer(db) -> User:
    return UserFactory(email="customer@example.com")


@pytest.fixture
def colleague(db) -> User:
    return UserFactory(email="colleague@example.com", role=Role.ADMIN)


@pytest.fixture
def post_page(console, django_capture_on_commit_callbacks) -> Callable:
    """POST the ticket page's form as a browser sends it (the assignee kept unless given), with
    the e-mails sent after commit."""

    def post(ticket: Ticket, **fields):
        ticket.refresh_from_db()
        form = {"assignee": ticket.assignee_id or "", **fields}
        with django_capture_on_commit_callbacks(execute=True):
            return console.post(change_url(ticket), form)

    return post
