"""The staff console for contact messages: list, filter, search, mark processed, notes."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from contact.models import ContactMessage
from tests.contact.factories import ContactMessageFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:contact_contactmessage_changelist"


def change_url(message: ContactMessage) -> str:
    return reverse("admin:contact_contactmessage_change", args=[message.pk])


def save(console: Client, message: ContactMessage, *, is_processed: bool, admin_notes: str = ""):
    form = {"admin_notes": admin_notes} | ({"is_processed": "on"} if is_processed else {})
    return console.post(change_url(message), form)


def run_action(console: Client, action: str, *messages: ContactMessage):
    selected = [str(message.pk) for message in messages]
    return console.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": selected}, follow=True
    )


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_who_wrote_and_who_handled(console, staff):
    message = ContactMessageFactory(name="张三", email="zhang@example.com")
    save(console, message, is_processed=True)

    page = console.get(reverse(CHANGELIST)).content.decode()

    for text in ("张三", "zhang@example.com", "staff@example.com"):
        assert text in page


@pytest.mark.parametrize("term", ["张三", "zhang@", "价格"])
def test_search_by_name_email_and_message(console, term):
    ContactMessageFactory(name="张三", email="zhang@example.com", message="咨询价格")
    ContactMessageFactory(name="李四", email="li@example.com", message="合作意向")

    page = console.get(reverse(CHANGELIST), {"q": term}).content.decode()

    assert "zhang@example.com" in page
    assert "li@example.com" not in page


@pytest.mark.parametrize(
    ("flag", "shown", "hidden"), [("0", "open@", "done@"), ("1", "done@", "open@")]
)
def test_filter_by_processed(console, staff, flag, shown, hidden):
    ContactMessageFactory(
        email="done@example.com", is_processed=True, processed_at="2025-01-01T00:00Z"
    )
    ContactMessageFactory(email="open@example.com")

    page = console.get(reverse(CHANGELIST), {"is_processed__exact": flag}).content.decode()

    assert shown in page
    assert hidden not in page


def test_the_list_costs_the_same_queries_for_more_rows(
    console, staff, django_assert_max_num_queries
):
    ContactMessageFactory.create_batch(2, processed_by=staff, processed_at="2025-01-01T00:00Z")
    with django_assert_max_num_queries(100) as few:
        console.get(reverse(CHANGELIST))

    handlers = UserFactory.create_batch(8, role=Role.ADMIN)
    for handler in handlers:
        ContactMessageFactory(processed_by=handler, processed_at="2025-01-01T00:00Z")
    with django_assert_max_num_queries(len(few.captured_queries)):
        console.get(reverse(CHANGELIST))


def test_staff_cannot_add_messages(console):
    assert console.get(reverse("admin:contact_contactmessage_add")).status_code == 403


def test_only_the_admin_role_opens_contact_messages():
    client = Client()
    client.force_login(UserFactory(role=Role.AGENT))

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


# --- the change form -----------------------------------------------------------------------


def test_marking_processed_records_time_and_staff(console, staff):
    message = ContactMessageFactory()

    response = save(console, message, is_processed=True, admin_notes="已邮件回复报价")

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.is_processed is True
    assert message.admin_notes == "已邮件回复报价"
    assert message.processed_by == staff
    assert message.processed_at is not None
    assert message.updated_at is not None


def test_setting_back_to_unprocessed_keeps_the_record(console, staff):
    message = ContactMessageFactory()
    save(console, message, is_processed=True)
    message.refresh_from_db()
    first_at = message.processed_at

    save(console, message, is_processed=False, admin_notes="客户又来信了")

    message.refresh_from_db()
    assert message.is_processed is False
    assert message.admin_notes == "客户又来信了"
    assert (message.processed_at, message.processed_by) == (first_at, staff)


def test_the_submitted_fields_are_read_only(console):
    message = ContactMessageFactory(name="张三", email="zhang@example.com", message="原文")

    console.post(
        change_url(message),
        {"name": "改名", "email": "x@example.com", "message": "改写", "admin_notes": ""},
    )
    page = console.get(change_url(message)).content.decode()

    message.refresh_from_db()
    assert (message.name, message.email, message.message) == ("张三", "zhang@example.com", "原文")
    assert 'name="name"' not in page
    assert 'name="is_processed"' in page
    assert 'name="admin_notes"' in page


def test_the_action_marks_the_selection_processed(console, staff):
    chosen = ContactMessageFactory.create_batch(2)
    untouched = ContactMessageFactory()

    response = run_action(console, "mark_processed", *chosen)

    assert "已将 2 条留言标记为已处理" in response.content.decode()
    for message in chosen:
        message.refresh_from_db()
        assert (message.is_processed, message.processed_by) == (True, staff)
    untouched.refresh_from_db()
    assert untouched.is_processed is False


def test_the_action_keeps_notes_and_the_first_handler(console, staff):
    earlier = UserFactory(role=Role.ADMIN)
    message = ContactMessageFactory(
        is_processed=True, processed_by=earlier, processed_at="2025-01-01T00:00Z", admin_notes="旧"
    )

    run_action(console, "mark_processed", message)

    message.refresh_from_db()
    assert (message.processed_by, message.admin_notes, message.updated_at) == (earlier, "旧", None)
