"""A ticket as a conversation: the customer writes, staff answer, as often as it takes; the
ticket's v2.0 answer keeps telling the latest of it."""

import pytest

from tests.tickets.conversations.conftest import messages_url, pdf, png, post_message
from tickets import services
from tickets.models import Ticket, TicketMessage, TicketStatus

pytestmark = pytest.mark.django_db


def ticket_url(ticket_id, action: str = "") -> str:
    return f"/api/tickets/{ticket_id}" + (f"/{action}" if action else "")


def thread(client, ticket_id) -> list[dict]:
    return client.get(messages_url(ticket_id), {"limit": 100}).json()["items"]


def test_a_conversation_of_several_rounds(auth_client, user, staff, ticket, staff_reply):
    assert auth_client.get(ticket_url(ticket.pk)).json()["status"] == "pending"

    staff_reply(ticket, "请提供报错截图。")
    answer = auth_client.get(ticket_url(ticket.pk)).json()
    assert (answer["status"], answer["feedback"]) == ("replied", "请提供报错截图。")
    assert answer["responder_email"] == staff.email

    posted = post_message(auth_client, ticket.pk, "截图见附件", files=[png(), pdf()])
    assert posted.status_code == 201
    answer = auth_client.get(ticket_url(ticket.pk)).json()
    assert (answer["status"], answer["feedback"]) == ("pending", "请提供报错截图。")

    latest = staff_reply(ticket, "已修复，请刷新页面后重试。", files=[pdf("修复说明.pdf")])
    answer = auth_client.get(ticket_url(ticket.pk)).json()
    assert (answer["status"], answer["feedback"]) == ("replied", "已修复，请刷新页面后重试。")
    assert answer["replied_at"] == thread(auth_client, ticket.pk)[-1]["created_at"]
    assert answer["content"] == "系统登录缓慢"
    assert latest.first_responded_at < latest.replied_at

    messages = thread(auth_client, ticket.pk)
    assert [(m["from_staff"], m["body"]) for m in messages] == [
        (False, "系统登录缓慢"),
        (True, "请提供报错截图。"),
        (False, "截图见附件"),
        (True, "已修复，请刷新页面后重试。"),
    ]
    assert [m["author_email"] for m in messages] == [user.email, staff.email] * 2
    assert [[a["filename"] for a in m["attachments"]] for m in messages] == [
        [],
        [],
        ["报错截图.png", "截图说明.pdf"],
        ["修复说明.pdf"],
    ]


def test_the_posted_message_is_answered_as_the_thread_shows_it(auth_client, user, ticket):
    posted = post_message(auth_client, ticket.pk, "  截图见附件  ", files=[png()])

    body = posted.json()
    assert body == thread(auth_client, ticket.pk)[-1]
    assert set(body) == {"id", "author_email", "from_staff", "body", "created_at", "attachments"}
    assert (body["author_email"], body["from_staff"], body["body"]) == (
        user.email,
        False,
        "截图见附件",
    )
    [attachment] = body["attachments"]
    assert set(attachment) == {"id", "filename", "file_size", "content_type", "created_at"}
    assert (attachment["filename"], attachment["content_type"]) == ("报错截图.png", "image/png")


def test_a_json_message_has_no_attachments(auth_client, ticket):
    posted = post_message(auth_client, ticket.pk, "还是很慢")

    assert posted.status_code == 201
    assert posted.json()["attachments"] == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "消息内容不能为空"),
        ({"body": "   "}, "消息内容不能为空"),
        ({"body": None}, "消息内容不能为空"),
    ],
)
def test_a_message_without_text_is_422(auth_client, ticket, body, detail):
    response = auth_client.post(messages_url(ticket.pk), body, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    assert ticket.messages.count() == 1


def test_the_opening_message_is_the_content_and_editing_a_pending_ticket_edits_both(
    auth_client, ticket
):
    assert [m["body"] for m in thread(auth_client, ticket.pk)] == [ticket.content]

    edited = auth_client.put(ticket_url(ticket.pk), {"content": "登录要等一分钟"}, format="json")

    assert edited.json()["content"] == "登录要等一分钟"
    assert [m["body"] for m in thread(auth_client, ticket.pk)] == ["登录要等一分钟"]


def test_the_customer_closes_and_reopens(auth_client, user, ticket):
    closed = auth_client.post(ticket_url(ticket.pk, "close"))

    assert closed.status_code == 200
    assert closed.json()["closed_at"] is not None
    assert closed.json()["closed_final"] is False
    assert closed.json()["status"] == "pending"  # whose turn it is does not change

    reopened = auth_client.post(ticket_url(ticket.pk, "reopen"))

    assert reopened.status_code == 200
    assert (reopened.json()["closed_at"], reopened.json()["closed_final"]) == (None, False)


def test_closing_twice_changes_nothing_and_reopening_an_open_ticket_neither(auth_client, ticket):
    first = auth_client.post(ticket_url(ticket.pk, "close")).json()
    again = auth_client.post(ticket_url(ticket.pk, "close")).json()

    assert again == first
    auth_client.post(ticket_url(ticket.pk, "reopen"))
    assert auth_client.post(ticket_url(ticket.pk, "reopen")).json()["closed_at"] is None


def test_a_customer_cannot_close_as_final(auth_client, ticket):
    closed = auth_client.post(ticket_url(ticket.pk, "close"), {"final": True}, format="json")

    assert closed.status_code == 200
    assert closed.json()["closed_final"] is False


def test_a_follow_up_reopens_a_closed_ticket_and_puts_the_ball_with_staff(
    auth_client, ticket, staff_reply
):
    staff_reply(ticket)
    auth_client.post(ticket_url(ticket.pk, "close"))

    post_message(auth_client, ticket.pk, "问题又出现了")

    answer = auth_client.get(ticket_url(ticket.pk)).json()
    assert (answer["status"], answer["closed_at"]) == ("pending", None)


def test_a_staff_reply_reopens_a_closed_ticket(auth_client, ticket, staff_reply):
    auth_client.post(ticket_url(ticket.pk, "close"))

    staff_reply(ticket, "我们又看了一下，已修复。")

    answer = auth_client.get(ticket_url(ticket.pk)).json()
    assert (answer["status"], answer["closed_at"]) == ("replied", None)


def test_staff_close_as_final_through_the_api_and_the_customer_cannot_go_on(
    auth_client, client_for, staff, ticket, staff_reply
):
    staff_reply(ticket)

    closed = client_for(staff).post(ticket_url(ticket.pk, "close"), {"final": True}, format="json")

    assert closed.status_code == 200
    assert closed.json()["closed_final"] is True
    refused = post_message(auth_client, ticket.pk, "我还有问题", files=[pdf()])
    assert refused.status_code == 400
    assert refused.json() == {"detail": services.TICKET_CLOSED_FINAL}
    assert auth_client.post(ticket_url(ticket.pk, "reopen")).status_code == 400
    assert TicketMessage.objects.filter(ticket=ticket).count() == 2
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.REPLIED


def test_staff_reopen_a_ticket_closed_as_final(auth_client, client_for, staff, ticket):
    client_for(staff).post(ticket_url(ticket.pk, "close"), {"final": True}, format="json")

    reopened = client_for(staff).post(ticket_url(ticket.pk, "reopen"))

    assert (reopened.json()["closed_at"], reopened.json()["closed_final"]) == (None, False)
    assert post_message(auth_client, ticket.pk, "谢谢").status_code == 201


def test_every_step_leaves_a_history_row(auth_client, user, ticket, staff_reply):
    staff_reply(ticket)
    post_message(auth_client, ticket.pk)
    auth_client.post(ticket_url(ticket.pk, "close"))
    auth_client.post(ticket_url(ticket.pk, "reopen"))

    changes = list(ticket.changes.order_by("pk").values_list("field", "new_value"))

    assert ("status", "pending") in changes
    assert [field for field, _ in changes].count("closed_at") == 2
