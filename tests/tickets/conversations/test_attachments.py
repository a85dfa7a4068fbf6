"""A message's attachments: judged by their content and refused whole when one is wrong, stored
under a key of ours, and downloaded by the ticket's people through a link that lasts an hour:
presigned by the bucket, or signed by the app for the local disk."""

import re
from urllib.parse import urlsplit

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.signed_links import altered
from tests.signed_links import signed_at as signed_link_at
from tests.tickets.conversations.conftest import (
    download_url_of,
    messages_url,
    pdf,
    png,
    post_message,
)
from tests.uploads import samples
from tickets import services
from tickets.models import TicketAttachment
from tickets.selectors import ATTACHMENT_LINK

pytestmark = pytest.mark.django_db

# 截图说明.pdf, as Content-Disposition writes a name that is not ASCII.
DISPOSITION = "attachment; filename*=utf-8''%E6%88%AA%E5%9B%BE%E8%AF%B4%E6%98%8E.pdf"


def stored_files(media_root) -> list:
    return sorted(path for path in media_root.rglob("*") if path.is_file())


def attached(client, ticket, *files) -> list[dict]:
    response = post_message(client, ticket.pk, "附件见消息", files=files)
    assert response.status_code == 201, response.json()
    return response.json()["attachments"]


def test_attachments_are_judged_by_content_and_stored_under_our_key(
    auth_client, ticket, local_storage
):
    [attachment] = attached(auth_client, ticket, SimpleUploadedFile("../../a.txt", samples.png()))

    row = TicketAttachment.objects.get(pk=attachment["id"])
    assert (row.filename, row.content_type, row.file_size) == (
        "a.txt",
        "image/png",
        len(samples.png()),
    )
    assert re.fullmatch(rf"tickets/{ticket.pk}/[0-9a-f]{{32}}\.png", row.oss_key)
    assert [path.relative_to(local_storage).as_posix() for path in stored_files(local_storage)] == [
        row.oss_key
    ]


@pytest.mark.parametrize("spelled", [str.upper, lambda pk: f"urn:uuid:{pk}"])
def test_the_key_holds_the_tickets_own_id_however_the_url_spells_it(
    auth_client, ticket, local_storage, spelled
):
    data = {"body": "附件见消息", "attachments": [pdf()]}

    response = auth_client.post(messages_url(spelled(str(ticket.pk))), data, format="multipart")

    assert response.status_code == 201
    row = TicketAttachment.objects.get()
    assert row.oss_key.startswith(f"tickets/{ticket.pk}/")


@pytest.mark.parametrize(
    ("files", "status", "detail"),
    [
        (
            [pdf(), SimpleUploadedFile("run.exe", b"MZ\x90\x00\x03")],
            400,
            "不支持的附件类型：run.exe",
        ),
        ([SimpleUploadedFile("空.pdf", b"")], 400, "附件「空.pdf」是空文件"),
        ([png(f"{n}.png") for n in range(4)], 400, "每条消息最多3个附件"),
        (
            [SimpleUploadedFile("大.pdf", samples.pdf() + b"\0" * 1024 * 1024)],
            413,
            "附件「大.pdf」超过1MB",
        ),
    ],
    ids=["unsupported", "empty", "too many", "too large"],
)
def test_a_wrong_attachment_refuses_the_message_and_stores_nothing(
    auth_client, ticket, settings, local_storage, files, status, detail
):
    settings.TICKET_ATTACHMENTS_PER_MESSAGE = 3
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1024 * 1024

    response = post_message(auth_client, ticket.pk, "附件见消息", files=files)

    assert response.status_code == status
    assert response.json() == {"detail": detail}
    assert ticket.messages.count() == 1
    assert not TicketAttachment.objects.exists()
    assert stored_files(local_storage) == []


def test_a_body_too_big_for_any_message_is_refused_before_it_is_read(
    auth_client, ticket, settings, local_storage
):
    settings.TICKET_ATTACHMENTS_PER_MESSAGE = 1
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("大.pdf", samples.pdf() + b"\0" * 128 * 1024)

    response = post_message(auth_client, ticket.pk, "附件见消息", files=[big])

    assert response.status_code == 413
    assert response.json() == {"detail": "请求体过大"}


def test_a_message_refused_in_its_transaction_removes_the_stored_files(
    user, ticket, staff, local_storage
):
    services.ticket_close(ticket_id=ticket.pk, actor=staff, final=True)

    with pytest.raises(services.ApplicationError, match="不能继续回复"):
        services.ticket_message_post(
            ticket_id=ticket.pk, author=user, body="附件见消息", files=[pdf()]
        )

    assert stored_files(local_storage) == []


def test_deleting_the_ticket_removes_its_files_after_commit(
    auth_client, ticket, local_storage, django_capture_on_commit_callbacks
):
    attached(auth_client, ticket, pdf(), png())
    assert len(stored_files(local_storage)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert auth_client.delete(f"/api/tickets/{ticket.pk}").status_code == 204

    assert stored_files(local_storage) == []


# --- local storage: a link the app signs and serves -------------------------------------------


def local_path(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver")
    return parts.path


@pytest.mark.parametrize("who", ["customer", "staff"])
def test_the_local_link_downloads_the_exact_bytes_under_the_original_name(
    auth_client, client_for, staff, ticket, local_storage, api_client, who
):
    [attachment] = attached(auth_client, ticket, pdf())
    asker = auth_client if who == "customer" else client_for(staff)

    response = asker.post(download_url_of(ticket.pk, attachment["id"]))

    assert response.status_code == 200
    assert response.json()["expires_in"] == 3600
    link = local_path(response.json()["download_url"])
    assert link.startswith("/api/tickets/attachments/download/")
    download = api_client.get(link)  # the signature is the credential: no token
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == samples.pdf()
    assert download["Content-Disposition"] == DISPOSITION
    assert download["Content-Type"] == "application/pdf"


def signed_at(value: str, seconds_ago: int, salt: str = ATTACHMENT_LINK.salt) -> str:
    return signed_link_at(value, seconds_ago, salt=salt)


@pytest.mark.parametrize(
    "token",
    [
        lambda pk: signed_at(pk, seconds_ago=3601),
        lambda pk: signed_at(pk, seconds_ago=0, salt="uploads.file-download"),
        lambda pk: altered(signed_at(pk, seconds_ago=0)),
        lambda pk: pk,
    ],
    ids=["expired", "another kind of link", "altered", "unsigned"],
)
def test_a_bad_link_is_403(auth_client, api_client, ticket, local_storage, token):
    [attachment] = attached(auth_client, ticket, pdf())

    response = api_client.get(f"/api/tickets/attachments/download/{token(attachment['id'])}")

    assert response.status_code == 403
    assert response.json() == {"detail": "下载链接无效或已过期"}


def test_a_link_to_a_removed_attachment_is_404(auth_client, api_client, ticket, local_storage):
    [attachment] = attached(auth_client, ticket, pdf())
    link = local_path(
        auth_client.post(download_url_of(ticket.pk, attachment["id"])).json()["download_url"]
    )
    TicketAttachment.objects.filter(pk=attachment["id"]).delete()

    response = api_client.get(link)

    assert response.status_code == 404
    assert response.json() == {"detail": "附件不存在"}


# --- object storage: a presigned GET ---------------------------------------------------------


def test_the_presigned_url_gets_the_bytes_from_the_bucket(
    auth_client, ticket, staff, staff_reply, object_storage
):
    [attachment] = attached(auth_client, ticket, pdf())
    staff_reply(ticket, "修复说明见附件", files=[png("修复说明.png")])
    row = TicketAttachment.objects.get(pk=attachment["id"])

    url = auth_client.post(download_url_of(ticket.pk, attachment["id"])).json()["download_url"]

    assert url.startswith(f"{object_storage.endpoint_url}/{object_storage.bucket}/tickets/")
    download = requests.get(url, timeout=10)
    assert download.status_code == 200
    assert download.content == samples.pdf()
    assert download.headers["Content-Disposition"] == DISPOSITION
    assert sorted(object_storage.keys()) == sorted(
        TicketAttachment.objects.values_list("oss_key", flat=True)
    )
    assert object_storage.read(row.oss_key) == samples.pdf()
