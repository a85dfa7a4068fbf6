"""POST /api/files/{id}/download-url: the owner's own files only, presigned or signed locally."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.storage import DOWNLOAD_LINK_SALT as PROJECT_LINK_SALT
from tests.factories import UserFactory
from tests.signed_links import altered
from tests.signed_links import signed_at as signed_link_at
from tests.uploads import samples
from tests.uploads.factories import UploadedFileFactory
from uploads import services
from uploads.models import UploadedFile
from uploads.selectors import DOWNLOAD_LINK

pytestmark = pytest.mark.django_db

CHINESE_DISPOSITION = "attachment; filename*=utf-8''%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf"
NOT_FOUND = {"detail": "文件不存在"}
LINK_INVALID = {"detail": "下载链接无效或已过期"}


def url_for(file_id) -> str:
    return f"/api/files/{file_id}/download-url"


def uploaded(owner, name: str = "季度报告.pdf", content: bytes | None = None) -> UploadedFile:
    content = samples.pdf() if content is None else content
    return services.uploaded_file_create(
        owner=owner, upload=SimpleUploadedFile(name, content), tag=None
    )


def local_path(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver")
    return parts.path


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def signed_at(value: str, seconds_ago: int, salt: str = DOWNLOAD_LINK.salt) -> str:
    return signed_link_at(value, seconds_ago, salt=salt)


# --- who may ask -----------------------------------------------------------------------------


def test_the_owner_gets_a_link_for_an_hour(auth_client, user, local_storage):
    response = auth_client.post(url_for(uploaded(user).pk))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"download_url", "expires_in"}
    assert body["expires_in"] == 3600


def test_someone_elses_file_is_not_found(auth_client, local_storage):
    strangers_file = uploaded(UserFactory())

    response = auth_client.post(url_for(strangers_file.pk))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_an_admin_is_no_owner_here(admin_client, local_storage):
    response = admin_client.post(url_for(uploaded(UserFactory()).pk))

    assert response.status_code == 404


@pytest.mark.parametrize("file_id", [uuid.uuid4(), "not-a-uuid", "1"])
def test_a_missing_or_malformed_id_is_not_found(auth_client, file_id):
    response = auth_client.post(url_for(file_id))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_asking_needs_a_token(api_client, user, local_storage):
    assert api_client.post(url_for(uploaded(user).pk)).status_code == 401


def test_asking_costs_two_queries(auth_client, user, local_storage, django_assert_num_queries):
    uploaded_file = uploaded(user)

    with django_assert_num_queries(2):  # session with its user, the file
        response = auth_client.post(url_for(uploaded_file.pk))

    assert response.status_code == 200


def test_asking_is_throttled(auth_client, user, local_storage, throttle_rates):
    throttle_rates["upload"] = "2/min"
    path = url_for(uploaded(user).pk)

    assert [auth_client.post(path).status_code for _ in range(3)] == [200, 200, 429]


def test_no_link_is_made_for_an_object_the_storage_has_lost(auth_client, user, local_storage):
    record = UploadedFileFactory(owner=user)  # no stored object

    response = auth_client.post(url_for(record.pk))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# --- local storage: the app's signed link ----------------------------------------------------


def test_the_local_link_downloads_the_exact_bytes_under_the_original_name(
    auth_client, api_client, user, local_storage
):
    link = auth_client.post(url_for(uploaded(user).pk)).json()["download_url"]

    download = api_client.get(local_path(link))  # no credentials needed

    assert download.status_code == 200
    assert body_of(download) == samples.pdf()
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == CHINESE_DISPOSITION


def test_the_link_in_the_uploads_answer_works_too(auth_client, api_client, local_storage):
    file = SimpleUploadedFile("photo.txt", samples.png())
    link = auth_client.post("/api/upload", {"file": file}, format="multipart").json()

    download = api_client.get(local_path(link["download_url"]))

    assert body_of(download) == samples.png()
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'attachment; filename="photo.txt"'


def test_a_link_still_inside_its_hour_works(api_client, user, local_storage):
    token = signed_at(str(uploaded(user).pk), seconds_ago=3500)

    assert api_client.get(f"/api/files/download/{token}").status_code == 200


@pytest.mark.parametrize(
    "make_token",
    [
        lambda file_id: signed_at(file_id, seconds_ago=3601),  # expired
        lambda file_id: altered(signed_at(file_id, 0)),
        lambda file_id: signed_at(file_id, 0, salt=PROJECT_LINK_SALT),  # a project file's link
        lambda file_id: file_id,  # unsigned
    ],
)
def test_a_bad_link_is_refused_and_serves_nothing(api_client, user, local_storage, make_token):
    token = make_token(str(uploaded(user).pk))

    download = api_client.get(f"/api/files/download/{token}")

    assert download.status_code == 403
    assert download.json() == LINK_INVALID


def test_a_link_whose_object_is_gone_is_not_found(auth_client, api_client, user, local_storage):
    uploaded_file = uploaded(user)
    link = auth_client.post(url_for(uploaded_file.pk)).json()["download_url"]
    default_storage.delete(uploaded_file.oss_key)

    download = api_client.get(local_path(link))

    assert download.status_code == 404
    assert download.json() == NOT_FOUND


# --- object storage: a presigned GET ---------------------------------------------------------


def test_the_presigned_url_downloads_the_exact_bytes_under_the_original_name(
    auth_client, object_storage
):
    file = SimpleUploadedFile("季度报告.pdf", samples.pdf())
    answer = auth_client.post("/api/upload", {"file": file}, format="multipart").json()

    response = auth_client.post(url_for(answer["id"]))

    url = response.json()["download_url"]
    query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(f"{object_storage.endpoint_url}/{object_storage.bucket}/uploads/")
    assert query["X-Amz-Expires"] == "3600"
    assert query["response-content-disposition"] == CHINESE_DISPOSITION
    download = requests.get(url, timeout=10)
    assert download.status_code == 200
    assert download.content == samples.pdf()
    assert download.headers["Content-Disposition"] == CHINESE_DISPOSITION
    assert download.headers["Content-Type"] == "application/pdf"
    assert requests.get(answer["download_url"], timeout=10).content == samples.pdf()


def test_the_bucket_holds_the_object_under_our_key_alone(user, object_storage):
    uploaded_file = uploaded(user, name="季度报告.pdf")

    assert object_storage.keys() == [uploaded_file.oss_key]
    assert "季度" not in uploaded_file.oss_key and "报告" not in uploaded_file.oss_key
    assert object_storage.read(uploaded_file.oss_key) == samples.pdf()
