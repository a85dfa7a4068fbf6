"""POST /api/upload: a customer's file, judged by its content, stored under a key of our own."""

import os
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.parsers import MultiPartParser

from tests.factories import UserFactory
from tests.http_servers import closed_port_url
from tests.uploads import samples
from tests.uploads.test_sniffing import KINDS
from uploads.models import UploadedFile

pytestmark = pytest.mark.django_db

URL = "/api/upload"
ANSWER_FIELDS = {
    "id",
    "filename",
    "file_size",
    "content_type",
    "tag",
    "oss_key",
    "download_url",
    "created_at",
}
UNSUPPORTED = {"detail": "不支持的文件类型"}


def upload(client, name: str, content: bytes, *, declared: str = "application/pdf", **fields):
    file = SimpleUploadedFile(name, content, content_type=declared)
    return client.post(URL, {"file": file, **fields}, format="multipart")


def stored(key: str) -> bytes:
    with default_storage.open(key, "rb") as file:
        return file.read()


@pytest.mark.parametrize(("name", "content", "kind", "mime"), KINDS)
def test_every_type_is_taken_and_stored_as_sent(
    auth_client, user, local_storage, name, content, kind, mime
):
    response = upload(auth_client, name, content)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["filename"], body["file_size"], body["content_type"]) == (name, len(content), mime)
    record = UploadedFile.objects.get(pk=body["id"])
    assert (record.owner, record.kind, record.oss_key) == (user, kind, body["oss_key"])
    assert body["oss_key"].endswith(f".{kind}")
    assert stored(record.oss_key) == content


def test_the_answer(auth_client, user, local_storage):
    response = upload(auth_client, "季度报告.pdf", samples.pdf(), tag="财务")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == ANSWER_FIELDS
    assert body["tag"] == "财务"
    assert re.fullmatch(rf"uploads/{user.uuid}/[0-9a-f]{{32}}\.pdf", body["oss_key"])
    assert body["download_url"].startswith("http://testserver/api/files/download/")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", body["created_at"])


def test_the_key_holds_nothing_of_the_customers_name(auth_client, user, local_storage):
    name = "../../etc/passwd\t密码\x07%2e%2e.pdf"

    body = upload(auth_client, name, samples.pdf()).json()

    assert re.fullmatch(rf"uploads/{user.uuid}/[0-9a-f]{{32}}\.pdf", body["oss_key"])
    assert body["filename"] == "passwd密码%2e%2e.pdf"  # shown only: no path, no control characters


def test_a_renamed_program_is_refused(auth_client, local_storage):
    response = upload(auth_client, "发票.pdf", samples.exe())

    assert response.status_code == 400
    assert response.json() == UNSUPPORTED
    assert not UploadedFile.objects.exists()


def test_a_picture_named_as_text_is_stored_as_the_picture_it_is(auth_client, local_storage):
    response = upload(auth_client, "photo.txt", samples.png(), declared="text/plain")

    assert response.status_code == 201
    body = response.json()
    assert (body["filename"], body["content_type"]) == ("photo.txt", "image/png")
    assert body["oss_key"].endswith(".png")


def test_the_declared_type_is_not_believed(auth_client, local_storage):
    body = upload(auth_client, "notes.txt", samples.text(), declared="application/pdf").json()

    assert body["content_type"] == "text/plain"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("archive.zip", samples.zip_archive()[:-30]),
        ("data.json", b'{"unfinished": '),
        ("bitmap.png", b"BM" + bytes(range(64))),
    ],
)
def test_a_broken_or_unknown_file_is_refused(auth_client, local_storage, name, content):
    response = upload(auth_client, name, content)

    assert response.status_code == 400
    assert response.json() == UNSUPPORTED


def test_an_empty_file_is_refused(auth_client, local_storage):
    response = upload(auth_client, "empty.txt", b"")

    assert response.status_code == 400
    assert response.json() == {"detail": "文件不能为空"}


@pytest.mark.parametrize("body", [{}, {"tag": "合同"}, {"file": "not a file"}])
def test_a_missing_file_is_a_validation_error(auth_client, body):
    response = auth_client.post(URL, body, format="multipart")

    assert response.status_code == 422
    assert response.json()["detail"] in ("file不能为空", "file格式不正确")


def test_a_json_body_is_not_an_upload(auth_client):
    response = auth_client.post(URL, {"file": "x"}, format="json")

    assert response.status_code == 415


def test_a_malformed_multipart_body_is_a_validation_error(auth_client):
    response = auth_client.generic(
        "POST", URL, b"garbage", content_type="multipart/form-data; boundary="
    )

    assert response.status_code == 422
    assert response.json() == {"detail": "请求体格式错误，应为 multipart/form-data（file、tag）"}


def test_uploading_needs_a_token(api_client):
    assert upload(api_client, "a.pdf", samples.pdf()).status_code == 401


# --- tags ------------------------------------------------------------------------------------


def test_a_tag_of_fifty_characters_is_kept(auth_client, local_storage):
    response = upload(auth_client, "a.pdf", samples.pdf(), tag="标" * 50)

    assert response.status_code == 201
    assert response.json()["tag"] == "标" * 50


def test_a_longer_tag_is_refused(auth_client, local_storage):
    response = upload(auth_client, "a.pdf", samples.pdf(), tag="标" * 51)

    assert response.status_code == 422
    assert response.json() == {"detail": "tag长度不能超过50个字符"}
    assert not UploadedFile.objects.exists()


@pytest.mark.parametrize("fields", [{}, {"tag": ""}, {"tag": "   "}])
def test_no_tag_is_null(auth_client, local_storage, fields):
    assert upload(auth_client, "a.pdf", samples.pdf(), **fields).json()["tag"] is None


# --- size ------------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_413(auth_client, local_storage, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    content = samples.pdf().ljust(1025, b" ")

    response = upload(auth_client, "a.pdf", content)

    assert response.status_code == 413
    assert response.json() == {"detail": "文件大小不能超过1KB"}
    assert not UploadedFile.objects.exists()


def test_a_file_at_the_limit_is_taken(auth_client, local_storage, settings):
    settings.UPLOAD_MAX_BYTES = 1024

    response = upload(auth_client, "a.pdf", samples.pdf().ljust(1024, b" "))

    assert response.status_code == 201


def test_a_body_plainly_over_the_limit_is_refused_before_it_is_read(auth_client, monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("the body was read")

    monkeypatch.setattr(MultiPartParser, "parse", parse)
    file = SimpleUploadedFile("big.pdf", samples.pdf())

    response = auth_client.post(
        URL, {"file": file}, format="multipart", CONTENT_LENGTH=str(101 * 1024 * 1024 + 1)
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "文件大小不能超过100MB"}


def test_a_file_past_the_memory_threshold_goes_through_a_temporary_file(
    auth_client, local_storage, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    content = samples.docx(picture=os.urandom(4096))

    response = upload(auth_client, "论文.docx", content)

    assert response.status_code == 201
    assert response.json()["content_type"].endswith("wordprocessingml.document")
    assert stored(response.json()["oss_key"]) == content


# --- storage and throttling ------------------------------------------------------------------


def test_storage_that_is_down_is_a_clear_503_and_records_nothing(
    auth_client, object_storage, settings
):
    settings.AWS_S3_ENDPOINT_URL = closed_port_url()
    settings.STORAGES = {**settings.STORAGES}  # a storage made anew, with the endpoint down

    response = upload(auth_client, "a.pdf", samples.pdf())

    assert response.status_code == 503
    assert response.json() == {"detail": "文件存储暂不可用，请稍后再试"}
    assert not UploadedFile.objects.exists()


def test_uploads_are_throttled_per_customer(auth_client, client_for, local_storage, throttle_rates):
    throttle_rates["upload"] = "2/min"

    statuses = [upload(auth_client, "a.pdf", samples.pdf()).status_code for _ in range(3)]
    someone_else = upload(client_for(UserFactory()), "a.pdf", samples.pdf())

    assert statuses == [201, 201, 429]
    assert someone_else.status_code == 201
