"""Snapshots of a task's texts in storage, and the links transactions carry to them (§8, §13)."""

import logging
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core import signing
from django.core.files.storage import default_storage

from points.models import PointsTransaction, TransactionType
from rewriting.snapshots import SNAPSHOT_LINK_SALT
from tests.rewriting.helpers import (
    RESULT_FOUND,
    TASK_SUBMITTED,
    funded_user,
    result,
    submit,
    transactions,
    worker_polls,
)
from tests.rewriting_accounts.helpers import assert_ok

pytestmark = pytest.mark.django_db

INPUT_TEXT = "需要降重的文本内容，含英文 words、数字 2025 和 emoji 👍🏽。\n第二段。"
OUTPUT_TEXT = "处理后的文本内容：改写完成。\r\n末行"
LINK_REFUSED = {"detail": "下载链接无效或已过期"}
LINK_PATH = re.compile(r"/rewriting/snapshots/[\w:-]+")
PLAIN_UTF8 = "text/plain; charset=utf-8"


@pytest.fixture
def customer():
    return funded_user(100)


@pytest.fixture
def token(customer, make_token) -> str:
    return make_token(customer)


def submitted(api_client, token: str) -> str:
    """Submit INPUT_TEXT to REDUCEAI; the vendor's task id."""
    data = assert_ok(
        submit(api_client, token, INPUT_TEXT, "zhiwang", "reduce-plagiarism"), TASK_SUBMITTED
    )
    return data["taskId"]


def completed(api_client, token: str, reduceai, task_id: str) -> dict:
    reduceai.complete(task_id, OUTPUT_TEXT)
    worker_polls()
    return assert_ok(result(api_client, token, task_id, "reduceai"), RESULT_FOUND)


def spend_row(api_client, token: str) -> dict:
    (row,) = [r for r in transactions(api_client, token) if r["transaction_type"] == "spend"]
    return row


def spend_of(task_id: str) -> PointsTransaction:
    return PointsTransaction.objects.get(
        transaction_type=TransactionType.SPEND, reference_id=task_id
    )


def local_link_path(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver"), url
    assert LINK_PATH.fullmatch(parts.path), url
    assert not parts.query
    return parts.path


def fetched(api_client, url: str) -> str:
    """The text behind a local snapshot link, fetched with no credentials."""
    response = api_client.get(local_link_path(url))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == PLAIN_UTF8
    return b"".join(response.streaming_content).decode()


def signed_at(key: str, seconds_ago: int) -> str:
    """A snapshot link token as the app would have signed it `seconds_ago` seconds ago."""

    class Earlier(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - seconds_ago)

    return Earlier(salt=SNAPSHOT_LINK_SALT).sign_object(key)


# --- local storage: the app's signed link ----------------------------------------------------


def test_the_input_link_serves_the_exact_text_without_credentials(
    api_client, token, reduceai, local_storage
):
    submitted(api_client, token)

    url = spend_row(api_client, token)["user_input_file_url"]

    assert fetched(api_client, url) == INPUT_TEXT


def test_the_input_link_is_there_before_the_result(api_client, token, reduceai, local_storage):
    submitted(api_client, token)

    row = spend_row(api_client, token)

    assert row["user_input_file_url"] is not None
    assert row["ai_response_file_url"] is None


def test_the_response_link_serves_the_result_once_completed(
    api_client, token, reduceai, local_storage
):
    task_id = submitted(api_client, token)

    assert completed(api_client, token, reduceai, task_id)["result"] == OUTPUT_TEXT

    row = spend_row(api_client, token)
    assert fetched(api_client, row["ai_response_file_url"]) == OUTPUT_TEXT
    assert fetched(api_client, row["user_input_file_url"]) == INPUT_TEXT


def test_snapshots_are_stored_under_the_owners_uuid(
    api_client, customer, token, reduceai, local_storage
):
    task_id = submitted(api_client, token)
    completed(api_client, token, reduceai, task_id)

    spend = spend_of(task_id)

    prefix = rf"rewriting/{customer.uuid}/{spend.rewriting_task.pk}-[0-9a-f]{{16}}/"
    assert re.fullmatch(prefix + "input.txt", spend.user_input_file)
    assert re.fullmatch(prefix + "output.txt", spend.ai_response_file)
    assert (local_storage / spend.user_input_file).read_bytes().decode() == INPUT_TEXT
    assert (local_storage / spend.ai_response_file).read_bytes().decode() == OUTPUT_TEXT


def tampered_tokens(token: str) -> list[str]:
    value, timestamp, signature = token.split(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    other_key = signing.dumps("rewriting/someone-else/input.txt", salt=SNAPSHOT_LINK_SALT)
    return [
        f"{value}:{timestamp}:{flipped}",  # altered signature
        f"{other_key.split(':')[0]}:{timestamp}:{signature}",  # another key under this signature
        f"{value}:{signing.b62_encode(int(time.time()) + 10**6)}:{signature}",  # pushed expiry
        signing.dumps(signing.loads(token, salt=SNAPSHOT_LINK_SALT), salt="another-purpose"),
        value,  # no signature at all
        "garbage",
    ]


def test_a_tampered_link_is_refused(api_client, token, reduceai, local_storage):
    submitted(api_client, token)
    path = local_link_path(spend_row(api_client, token)["user_input_file_url"])

    for tampered in tampered_tokens(path.rsplit("/", 1)[1]):
        response = api_client.get(f"/rewriting/snapshots/{tampered}")

        assert response.status_code == 403, tampered
        assert response.json() == LINK_REFUSED


def test_a_link_inside_its_hour_works(api_client, token, reduceai, local_storage):
    task_id = submitted(api_client, token)

    response = api_client.get(
        f"/rewriting/snapshots/{signed_at(spend_of(task_id).user_input_file, 3500)}"
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == INPUT_TEXT


def test_an_expired_link_is_refused(api_client, token, reduceai, local_storage):
    task_id = submitted(api_client, token)

    response = api_client.get(
        f"/rewriting/snapshots/{signed_at(spend_of(task_id).user_input_file, 3601)}"
    )

    assert response.status_code == 403
    assert response.json() == LINK_REFUSED


def test_a_link_whose_file_was_deleted_is_not_found(api_client, token, reduceai, local_storage):
    task_id = submitted(api_client, token)
    url = spend_row(api_client, token)["user_input_file_url"]
    default_storage.delete(spend_of(task_id).user_input_file)

    response = api_client.get(local_link_path(url))

    assert response.status_code == 404
    assert response.json() == {"detail": "文件不存在"}


def test_the_link_is_throttled(api_client, token, reduceai, local_storage, throttle_rates):
    throttle_rates["public"] = "2/min"
    submitted(api_client, token)
    path = local_link_path(spend_row(api_client, token)["user_input_file_url"])

    statuses = [api_client.get(path).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_the_link_serves_whatever_the_client_accepts(api_client, token, reduceai, local_storage):
    submitted(api_client, token)
    path = local_link_path(spend_row(api_client, token)["user_input_file_url"])

    response = api_client.get(path, HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == INPUT_TEXT


# --- object storage: presigned URLs ----------------------------------------------------------


def assert_presigned(url: str, store, key: str) -> None:
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}" == store.endpoint_url
    assert parts.path == f"/{store.bucket}/{key}"
    assert query["X-Amz-Expires"] == "3600"
    assert query["X-Amz-Signature"]
    assert query["response-content-type"] == PLAIN_UTF8


def fetched_from_s3(url: str) -> str:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == PLAIN_UTF8
    return response.content.decode()


def test_object_storage_links_are_presigned_urls_of_the_exact_texts(
    api_client, token, reduceai, object_storage
):
    task_id = submitted(api_client, token)
    completed(api_client, token, reduceai, task_id)

    row = spend_row(api_client, token)

    spend = spend_of(task_id)
    assert_presigned(row["user_input_file_url"], object_storage, spend.user_input_file)
    assert_presigned(row["ai_response_file_url"], object_storage, spend.ai_response_file)
    assert fetched_from_s3(row["user_input_file_url"]) == INPUT_TEXT
    assert fetched_from_s3(row["ai_response_file_url"]) == OUTPUT_TEXT


def test_object_storage_holds_both_snapshots(api_client, token, reduceai, object_storage):
    task_id = submitted(api_client, token)
    completed(api_client, token, reduceai, task_id)

    spend = spend_of(task_id)

    assert set(object_storage.keys()) == {spend.user_input_file, spend.ai_response_file}
    assert object_storage.read(spend.user_input_file).decode() == INPUT_TEXT
    assert object_storage.read(spend.ai_response_file).decode() == OUTPUT_TEXT


def test_snapshot_objects_are_private(api_client, token, reduceai, object_storage):
    task_id = submitted(api_client, token)

    unsigned = requests.get(
        f"{object_storage.endpoint_url}/{object_storage.bucket}/{spend_of(task_id).user_input_file}",
        timeout=10,
    )

    assert unsigned.status_code == 403


# --- a storage that fails --------------------------------------------------------------------


@pytest.fixture(params=["missing_bucket", "media_root_is_a_file"])
def failing_storage(request, settings, tmp_path):
    """A storage that refuses every write: S3 with no such bucket, or a disk path that is a file."""
    if request.param == "missing_bucket":
        request.getfixturevalue("object_storage")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": "no-such-bucket"},
            },
        }
    else:
        request.getfixturevalue("local_storage")
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("")
        settings.MEDIA_ROOT = blocker


def snapshot_failures(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "rewriting.snapshots" and record.levelno == logging.ERROR
    ]


def test_a_failed_input_upload_is_logged_and_the_submit_succeeds(
    api_client, customer, token, reduceai, failing_storage, caplog
):
    task_id = submitted(api_client, token)

    task = spend_of(task_id).rewriting_task
    assert snapshot_failures(caplog) == [
        f"Storing the input snapshot of rewriting task {task.pk} failed"
    ]
    row = spend_row(api_client, token)
    assert (row["amount"], row["is_successful"]) == (-0.129, True)
    assert row["user_input_file_url"] is None
    assert reduceai.submits == 1


def test_a_failed_output_upload_is_logged_and_the_result_still_answers(
    api_client, token, reduceai, failing_storage, caplog
):
    task_id = submitted(api_client, token)

    data = completed(api_client, token, reduceai, task_id)

    assert (data["status"], data["result"]) == ("completed", OUTPUT_TEXT)
    task = spend_of(task_id).rewriting_task
    assert f"Storing the output snapshot of rewriting task {task.pk} failed" in (
        snapshot_failures(caplog)
    )
    row = spend_row(api_client, token)
    assert (row["user_input_file_url"], row["ai_response_file_url"]) == (None, None)
    task.refresh_from_db()
    assert (task.status, task.result) == ("completed", OUTPUT_TEXT)
