"""The contact services and the recipients selector, called directly."""

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from contact import selectors, services
from contact.models import ContactMessage
from csa.errors import ApplicationError, ForbiddenError
from tests.contact.factories import ContactMessageFactory
from tests.contact.siteverify import FAILING_SECRET
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def submit(**overrides) -> ContactMessage:
    fields = {
        "name": "张三",
        "email": "user@example.com",
        "message": "你好",
        "turnstile_token": "token-1",
        "client_ip": "203.0.113.7",
    }
    return services.contact_message_submit(**fields | overrides)


@pytest.fixture
def staff():
    return UserFactory(email="staff@example.com", role=Role.ADMIN)


def process(message: ContactMessage, actor, *, is_processed: bool, admin_notes=None):
    return services.contact_message_process(
        message=message, actor=actor, is_processed=is_processed, admin_notes=admin_notes
    )


# --- submit --------------------------------------------------------------------------------


def test_submit_stores_after_the_check(siteverify):
    message = submit()

    message.refresh_from_db()
    assert (message.name, message.email, message.message) == ("张三", "user@example.com", "你好")
    assert message.client_ip == "203.0.113.7"
    assert message.is_processed is False
    assert len(siteverify.received) == 1


def test_submit_refused_stores_nothing(siteverify, settings):
    settings.TURNSTILE_SECRET_KEY = FAILING_SECRET

    with pytest.raises(ApplicationError):
        submit()

    assert not ContactMessage.objects.exists()


@pytest.mark.parametrize("address", ["", "unknown", "203.0.113.7:5555"])
def test_an_address_that_is_no_ip_is_stored_as_null_and_not_sent(siteverify, address):
    message = submit(client_ip=address)

    assert message.client_ip is None
    assert "remoteip" not in siteverify.received[0]


def test_submit_mails_staff_after_commit(siteverify, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        submit()

    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert mail.outbox[0].to == ["staff@example.com"]


def test_recipients_are_active_admins_and_settings_admins_once_each(settings, staff):
    UserFactory(email="gone@example.com", role=Role.ADMIN, is_active=False)
    UserFactory(email="agent@example.com", role=Role.AGENT)
    settings.ADMINS = [("Ops", "ops@example.com"), ("Dup", "STAFF@example.com")]

    assert selectors.staff_notification_recipients() == ["staff@example.com", "ops@example.com"]


def test_no_staff_means_no_recipients(settings):
    settings.ADMINS = []

    assert selectors.staff_notification_recipients() == []


# --- process -------------------------------------------------------------------------------


def test_the_first_marking_records_time_and_staff(staff):
    message = ContactMessageFactory()

    process(message, staff, is_processed=True, admin_notes="  已电话回复  ")

    message.refresh_from_db()
    assert message.is_processed is True
    assert message.admin_notes == "已电话回复"
    assert message.processed_by == staff
    assert message.processed_at is not None
    assert message.updated_at == message.processed_at


def test_unmarking_keeps_who_first_handled_it(staff):
    message = process(ContactMessageFactory(), staff, is_processed=True)
    first_at = message.processed_at
    other = UserFactory(role=Role.ADMIN)

    process(message, other, is_processed=False)
    process(message, other, is_processed=True)

    message.refresh_from_db()
    assert message.is_processed is True
    assert (message.processed_at, message.processed_by) == (first_at, staff)
    assert message.updated_at > first_at


def test_notes_alone_change_without_marking(staff):
    message = ContactMessageFactory()

    process(message, staff, is_processed=False, admin_notes="待跟进")

    message.refresh_from_db()
    assert (message.is_processed, message.admin_notes) == (False, "待跟进")
    assert (message.processed_at, message.processed_by) == (None, None)
    assert message.updated_at is not None


def test_notes_sent_back_with_browser_line_breaks_are_unchanged(staff):
    message = ContactMessageFactory(admin_notes="已回电\n待报价")

    process(message, staff, is_processed=False, admin_notes="已回电\r\n待报价")

    message.refresh_from_db()
    assert (message.admin_notes, message.updated_at) == ("已回电\n待报价", None)


@pytest.mark.parametrize("notes", [None, "", "   "])
def test_nothing_to_change_leaves_updated_at_alone(staff, notes):
    message = ContactMessageFactory()

    process(message, staff, is_processed=False, admin_notes=notes)

    message.refresh_from_db()
    assert (message.admin_notes, message.updated_at) == (None, None)


def test_only_staff_process_messages(user):
    message = ContactMessageFactory()

    with pytest.raises(ForbiddenError):
        process(message, user, is_processed=True)

    message.refresh_from_db()
    assert message.is_processed is False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_process_locks_only_the_message_row(staff):
    message = ContactMessageFactory(processed_by=staff, processed_at=timezone.now())

    with CaptureQueriesContext(connection) as queries:
        process(message, staff, is_processed=True)

    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1
    assert locks[0].endswith('FOR UPDATE OF "contact_contactmessage"')


def test_the_database_refuses_processed_without_a_time():
    message = ContactMessageFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ContactMessage.objects.filter(pk=message.pk).update(is_processed=True)


def test_the_database_keeps_a_time_on_an_unprocessed_message():
    message = ContactMessageFactory(processed_at=timezone.now())

    message.refresh_from_db()
    assert (message.is_processed, message.processed_at is not None) == (False, True)
