"""A ticket's page: the thread oldest first, and staff answering in it as often as needed, with
files, common replies, and closing or reopening."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from csa.errors import ApplicationError, ServiceUnavailableError
from tests.tickets.console.pages import change_url, page, pdf, png
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.models import CannedReply, TicketAttachment, TicketStatus, TicketType

pytestmark = pytest.mark.django_db


def thread_of(shown: str) -> list[tuple[str, str]]:
    """(客服 or 客户, body) of each message of the page's thread, in the page's order."""
    return re.findall(
        r'<span class="ticket-role">(客服|客户)</span>.*?'
        r'<div class="ticket-message-body">(.*?)</div>',
        shown,
        flags=re.DOTALL,
    )


def test_rounds_of_conversation_through_the_console(
    console, staff, customer, post_page, object_storage
):
    ticket = TicketFactory(creator=customer, title="报表导出失败", content="导出时报错")

    first = post_page(ticket, reply="请提供截图\n以及导出的时间", attachments=[png(), pdf()])
    services.ticket_message_post(
        ticket_id=ticket.pk, author=customer, body="截图见附件", files=[png("报错.png")]
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING
    second = post_page(ticket, reply="已修复，请重试")

    assert first.status_code == second.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REPLIED
    assert ticket.feedback == "已修复，请重试"
    assert ticket.responder == staff
    assert ticket.first_responded_at < ticket.replied_at  # the clock stopped at the first
    assert [m.to for m in mail.outbox] == [[customer.email], [customer.email]]
    assert len(object_storage.keys()) == 3
    shown = page(console, change_url(ticket))
    assert thread_of(shown) == [
        ("客户", "导出时报错"),
        ("客服", "请提供截图\n以及导出的时间"),  # its line breaks kept (pre-wrap)
        ("客户", "截图见附件"),
        ("客服", "已修复，请重试"),
    ]
    assert shown.count(f'href="{object_storage.endpoint_url}/{object_storage.bucket}/tickets/') == 3
    assert shown.index("截图.png") < shown.index("说明.pdf") < shown.index("报错.png")
    assert "staff@example.com" in shown and "customer@example.com" in shown


def test_the_customer_reads_the_consoles_answer_and_its_files(
    console, customer, post_page, client_for, object_storage
):
    ticket = TicketFactory(creator=customer)

    post_page(ticket, reply="请查看附件", attachments=[pdf()])

    body = client_for(customer).get(f"/api/tickets/{ticket.pk}").json()
    assert body["status"] == "replied" and body["feedback"] == "请查看附件"
    [attachment] = TicketAttachment.objects.filter(message__ticket=ticket)
    assert (attachment.filename, attachment.content_type) == ("说明.pdf", "application/pdf")
    assert object_storage.read(attachment.oss_key) == pdf().read()


def test_an_attachment_on_the_local_disk_is_a_signed_link(console, customer, local_storage):
    ticket = TicketFactory(creator=customer)
    services.ticket_message_post(ticket_id=ticket.pk, author=customer, body="附件", files=[png()])

    shown = page(console, change_url(ticket))

    [link] = re.findall(r'<a href="([^"]+)">截图.png</a>', shown)
    assert link.startswith("/api/tickets/attachments/download/")
    download = APIClient().get(link)  # the signature is the credential
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png().read()


def test_an_empty_reply_changes_nothing(console, post_page):
    ticket = TicketFactory()

    post_page(ticket, reply="   ")

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING
    assert ticket.messages.count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("files", "error"),
    [
        ([png("a.png"), png("b.png"), png("c.png")], "每条消息最多2个附件"),
        ([png("a.png")], None),  # with no reply text
        ([SimpleUploadedFile("程序.exe", b"MZ\x90\x00\x03")], "不支持的附件类型：程序.exe"),
    ],
)
def test_refused_attachments_are_the_forms_errors(
    console, post_page, settings, local_storage, files, error
):
    settings.TICKET_ATTACHMENTS_PER_MESSAGE = 2
    ticket = TicketFactory()
    reply = "" if error is None else "附件如下"

    response = post_page(ticket, reply=reply, attachments=files)

    assert response.status_code == 200
    shown = response.content.decode()
    assert "errorlist" in shown
    assert (error or "发送附件时须填写回复内容") in shown
    assert not local_storage.exists() or not any(p.is_file() for p in local_storage.rglob("*"))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING and ticket.messages.count() == 1


def test_a_refusal_while_saving_is_a_message_not_an_error_page(console, post_page, monkeypatch):
    def unavailable(**_):
        raise ServiceUnavailableError("文件存储暂不可用，请稍后再试")

    monkeypatch.setattr(services, "stored_file_save", unavailable)
    ticket = TicketFactory()

    response = post_page(ticket, reply="见附件", attachments=[png()])

    assert response.status_code == 302 and response["Location"] == change_url(ticket)
    shown = page(console, change_url(ticket))
    assert "文件存储暂不可用，请稍后再试" in shown
    assert "成功" not in shown
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING and mail.outbox == []


# --- common replies ----------------------------------------------------------------------


def test_the_page_offers_the_common_replies_of_its_type_and_of_all(console):
    CannedReply.objects.create(title="重置密码", body="请点击“忘记密码”。", ticket_type=None)
    CannedReply.objects.create(title="刷新重试", body="请刷新后重试。", ticket_type="technical")
    CannedReply.objects.create(title="开具发票", body="发票三日内寄出。", ticket_type="financial")
    ticket = TicketFactory(ticket_type=TicketType.TECHNICAL)

    shown = page(console, change_url(ticket))

    assert "重置密码" in shown and "刷新重试" in shown and "开具发票" not in shown
    assert 'data-body="请刷新后重试。"' in shown
    assert 'data-canned-replies="reply"' in shown
    assert "csa/ticket_reply.js" in shown
    # The Content-Security-Policy runs scripts from files only: no script on the page is inline.
    scripts = re.findall(r"<script[^>]*>", shown)
    assert scripts and all("src=" in tag for tag in scripts)


def test_a_common_reply_chosen_with_the_box_empty_is_the_answer(console, post_page):
    canned = CannedReply.objects.create(title="刷新重试", body="请刷新后重试。")
    ticket = TicketFactory()

    post_page(ticket, reply="", canned_reply=canned.pk)

    ticket.refresh_from_db()
    assert ticket.feedback == "请刷新后重试。"
    assert len(mail.outbox) == 1


def test_the_box_wins_over_the_chosen_common_reply(console, post_page):
    """The script put the chosen text into the box, which staff then edited."""
    canned = CannedReply.objects.create(title="刷新重试", body="请刷新后重试。")
    ticket = TicketFactory()

    post_page(ticket, reply="请刷新后重试。若仍失败请回复。", canned_reply=canned.pk)

    ticket.refresh_from_db()
    assert ticket.feedback == "请刷新后重试。若仍失败请回复。"


# --- closing and reopening -----------------------------------------------------------------


def test_reply_and_close(console, staff, post_page):
    ticket = TicketFactory()

    post_page(ticket, reply="已处理", close="on")

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REPLIED
    assert ticket.is_closed and not ticket.closed_final and ticket.closed_by == staff


def test_reply_and_close_as_final_then_the_customer_cannot_follow_up(console, customer, post_page):
    ticket = TicketFactory(creator=customer)

    post_page(ticket, reply="已退款，此工单结束", close_final="on")

    ticket.refresh_from_db()
    assert ticket.is_closed and ticket.closed_final
    with pytest.raises(ApplicationError, match="不能继续回复"):
        services.ticket_message_post(ticket_id=ticket.pk, author=customer, body="还有问题")


def test_close_without_a_reply(console, post_page):
    ticket = TicketFactory()

    post_page(ticket, reply="", close="on")

    ticket.refresh_from_db()
    assert ticket.is_closed and ticket.status == TicketStatus.PENDING
    assert ticket.messages.count() == 1 and mail.outbox == []


def test_the_pages_tools_close_close_as_final_and_reopen(console, staff):
    ticket = TicketFactory()
    close = reverse("admin:tickets_ticket_close", args=[ticket.pk])
    reopen = reverse("admin:tickets_ticket_reopen", args=[ticket.pk])
    assert f'action="{close}"' in page(console, change_url(ticket))

    closed = console.post(close)
    ticket.refresh_from_db()
    assert closed["Location"] == change_url(ticket)
    assert ticket.is_closed and not ticket.closed_final
    shown = page(console, change_url(ticket))
    assert f'action="{reopen}"' in shown and "已关闭工单" in shown
    assert "由 staff@example.com 关闭" in shown

    console.post(close, {"final": "1"})
    ticket.refresh_from_db()
    assert ticket.closed_final
    assert "最终关闭</button>" not in page(console, change_url(ticket))

    console.post(reopen)
    ticket.refresh_from_db()
    assert not ticket.is_closed and not ticket.closed_final
    shown = page(console, change_url(ticket))
    assert "<td>最终关闭</td><td>是</td><td>否</td>" in shown  # the history keeps every step


def test_the_tools_take_posts_only(console):
    ticket = TicketFactory()

    assert console.get(reverse("admin:tickets_ticket_close", args=[ticket.pk])).status_code == 403
    ticket.refresh_from_db()
    assert not ticket.is_closed


def test_a_reply_reopens_a_ticket_closed_as_final(console, staff, post_page):
    ticket = TicketFactory()
    services.ticket_close(ticket_id=ticket.pk, actor=staff, final=True)

    post_page(ticket, reply="补充说明")

    ticket.refresh_from_db()
    assert not ticket.is_closed and ticket.feedback == "补充说明"


# --- what the page costs -----------------------------------------------------------------


def test_the_page_costs_the_same_however_long_the_thread(
    console, staff, customer, django_assert_max_num_queries, object_storage
):
    ticket = TicketFactory(creator=customer)
    services.ticket_reply(ticket_id=ticket.pk, responder=staff, feedback="一", files=[png()])
    with django_assert_max_num_queries(100) as few:
        page(console, change_url(ticket))
    for n in range(3):
        services.ticket_reply(
            ticket_id=ticket.pk, responder=staff, feedback=f"回复{n}", files=[pdf()]
        )
        services.ticket_message_post(
            ticket_id=ticket.pk, author=customer, body=f"追问{n}", files=[png(), pdf()]
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        shown = page(console, change_url(ticket))

    assert len(thread_of(shown)) == 8
    assert shown.count(f"{object_storage.endpoint_url}/{object_storage.bucket}/tickets/") == 10
