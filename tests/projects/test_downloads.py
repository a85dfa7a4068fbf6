"""5.4 download URLs: presigned from object storage, or the app's own signed link locally."""

import time
import uuid
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from projects import services
from projects.models import ProjectFile
from projects.storage import DOWNLOAD_LINK_SALT
from tests.factories import UserFactory
from tests.http_servers import closed_port_url
from tests.projects.factories import ProjectFactory, ProjectFileFactory
from tests.signed_links import signed_at as signed_link_at

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n\x00\x01\x02 binary \xff\xfe content"
CHINESE_DISPOSITION = "attachment; filename*=utf-8''%E9%A1%B9%E7%9B%AE%E6%96%87%E6%A1%A3.pdf"


def url_for(file_id) -> str:
    return f"/api/projects/files/{file_id}/download-url"


def upload(project, name: str = "项目文档.pdf", content: bytes = PDF_BYTES) -> ProjectFile:
    return services.project_file_upload(
        project=project,
        upload=SimpleUploadedFile(name, content, content_type="application/pdf"),
        tag="文档",
    )


def local_path(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver")
    return parts.path


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def signed_at(value: str, seconds_ago: int) -> str:
    """A download token as the app would have signed it `seconds_ago` seconds ago."""
    return signed_link_at(value, seconds_ago, salt=DOWNLOAD_LINK_SALT)


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user)


# --- who may ask -----------------------------------------------------------------------------


def test_someone_elses_file_is_forbidden(auth_client):
    strangers_file = ProjectFileFactory(project=ProjectFactory(owner=UserFactory()))

    response = auth_client.post(url_for(strangers_file.pk))

    assert response.status_code == 403
    assert response.json() == {"detail": "无权访问此文件"}


@pytest.mark.parametrize("file_id", [uuid.uuid4(), "507f1f77bcf86cd799439050"])
def test_a_missing_file_is_not_found(auth_client, file_id):
    response = auth_client.post(url_for(file_id))

    assert response.status_code == 404
    assert response.json() == {"detail": "文件不存在"}


def test_asking_needs_a_token(api_client, project):
    project_file = ProjectFileFactory(project=project)

    response = api_client.post(url_for(project_file.pk))

    assert response.status_code == 401


def test_asking_is_a_post(auth_client, project):
    project_file = ProjectFileFactory(project=project)

    response = auth_client.get(url_for(project_file.pk))

    assert response.status_code == 405


def test_an_admin_may_download_any_file(admin_client, local_storage):
    strangers_file = upload(ProjectFactory())

    response = admin_client.post(url_for(strangers_file.pk))

    assert response.status_code == 200


def test_asking_costs_two_queries(auth_client, project, local_storage, django_assert_num_queries):
    project_file = upload(project)

    # session+user, file with its project
    with django_assert_num_queries(2):
        response = auth_client.post(url_for(project_file.pk))

    assert response.status_code == 200


# --- local storage: the app's signed link ----------------------------------------------------


def test_the_local_link_downloads_the_exact_bytes_under_the_original_name(
    auth_client, api_client, project, local_storage
):
    project_file = upload(project)

    response = auth_client.post(url_for(project_file.pk))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"download_url", "expires_in"}
    assert body["expires_in"] == 3600
    download = api_client.get(local_path(body["download_url"]))  # no credentials needed
    assert download.status_code == 200
    assert body_of(download) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == CHINESE_DISPOSITION


def test_the_schema_documents_the_local_link_answering_the_files_own_type(
    auth_client, api_client, project, local_storage
):
    # Found by the fuzz run: the link answers with the file's own type, the schema documented only
    # application/octet-stream. The fix belongs in projects/views.py (FileDownloadView):
    # `responses={(200, "*/*"): OpenApiTypes.BINARY, ...}`.
    project_file = upload(project)
    link = auth_client.post(url_for(project_file.pk)).json()["download_url"]

    download = api_client.get(local_path(link))
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    documented = schema["paths"]["/api/projects/files/download/{token}"]["get"]["responses"]
    assert download["Content-Type"] == "application/pdf"
    assert {"application/pdf", "*/*"} & set(documented["200"]["content"])


def test_an_ascii_name_is_quoted_plainly(auth_client, api_client, project, local_storage):
    project_file = upload(project, name="notes v2.txt", content=b"hello")

    link = auth_client.post(url_for(project_file.pk)).json()["download_url"]
    download = api_client.get(local_path(link))

    assert download["Content-Disposition"] == 'attachment; filename="notes v2.txt"'


def test_the_local_link_serves_whatever_the_client_accepts(
    auth_client, api_client, project, local_storage
):
    project_file = upload(project)
    link = auth_client.post(url_for(project_file.pk)).json()["download_url"]

    download = api_client.get(local_path(link), HTTP_ACCEPT="application/pdf")

    assert download.status_code == 200
    assert body_of(download) == PDF_BYTES


def test_a_link_still_inside_its_hour_works(api_client, project, local_storage):
    project_file = upload(project)
    token = signed_at(str(project_file.pk), seconds_ago=3500)

    download = api_client.get(f"/api/projects/files/download/{token}")

    assert download.status_code == 200
    assert body_of(download) == PDF_BYTES


def test_an_expired_link_is_refused(api_client, project, local_storage):
    project_file = upload(project)
    token = signed_at(str(project_file.pk), seconds_ago=3601)

    download = api_client.get(f"/api/projects/files/download/{token}")

    assert download.status_code == 403
    assert download.json() == {"detail": "下载链接无效或已过期"}


def tampered_tokens(token: str, other_file_id: str) -> list[str]:
    value, timestamp, signature = token.split(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    return [
        f"{value}:{timestamp}:{flipped}",  # altered signature
        f"{other_file_id}:{timestamp}:{signature}",  # another file under this signature
        f"{value}:{signing.b62_encode(int(time.time()) + 10**6)}:{signature}",  # pushed expiry
        signing.TimestampSigner(salt="another-purpose").sign(value),  # signed for something else
        value,  # no signature at all
        "garbage",
    ]


def test_a_tampered_link_is_refused_and_serves_nothing(
    auth_client, api_client, project, local_storage
):
    project_file = upload(project)
    other_file = upload(project, name="secret.pdf", content=b"secret")
    link = auth_client.post(url_for(project_file.pk)).json()["download_url"]
    token = local_path(link).rsplit("/", 1)[1]

    for tampered in tampered_tokens(token, str(other_file.pk)):
        download = api_client.get(f"/api/projects/files/download/{tampered}")

        assert download.status_code == 403, tampered
        assert download.json() == {"detail": "下载链接无效或已过期"}


def test_a_link_to_a_deleted_file_is_not_found(auth_client, api_client, project, local_storage):
    project_file = upload(project)
    link = auth_client.post(url_for(project_file.pk)).json()["download_url"]
    project_file.delete()

    download = api_client.get(local_path(link))

    assert download.status_code == 404
    assert download.json() == {"detail": "文件不存在"}


def test_a_link_whose_object_is_gone_is_not_found(auth_client, api_client, project, local_storage):
    project_file = upload(project)
    link = auth_client.post(url_for(project_file.pk)).json()["download_url"]
    default_storage.delete(project_file.oss_key)

    download = api_client.get(local_path(link))

    assert download.status_code == 404
    assert download.json() == {"detail": "文件不存在"}


def test_no_link_is_made_for_an_object_the_disk_has_lost(auth_client, project, local_storage):
    project_file = ProjectFileFactory(project=project)  # a record with no stored object

    response = auth_client.post(url_for(project_file.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "文件不存在"}


def test_the_local_link_is_throttled(
    auth_client, api_client, project, local_storage, throttle_rates
):
    throttle_rates["public"] = "2/min"
    project_file = upload(project)
    path = local_path(auth_client.post(url_for(project_file.pk)).json()["download_url"])

    statuses = [api_client.get(path).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


# --- object storage: a presigned GET ---------------------------------------------------------


def test_the_presigned_url_downloads_the_exact_bytes_under_the_original_name(
    auth_client, project, object_storage
):
    project_file = upload(project)

    response = auth_client.post(url_for(project_file.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 3600
    parts = urlsplit(body["download_url"])
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}" == object_storage.endpoint_url
    assert parts.path == f"/{object_storage.bucket}/{quote(project_file.oss_key)}"
    assert query["X-Amz-Expires"] == "3600"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Signature"]
    assert query["response-content-disposition"] == CHINESE_DISPOSITION
    assert query["response-content-type"] == "application/pdf"
    download = requests.get(body["download_url"], timeout=10)
    assert download.status_code == 200
    assert download.content == PDF_BYTES
    assert download.headers["Content-Disposition"] == CHINESE_DISPOSITION


def test_stored_objects_are_private(project, object_storage):
    project_file = upload(project)

    unsigned = requests.get(
        f"{object_storage.endpoint_url}/{object_storage.bucket}/{quote(project_file.oss_key)}",
        timeout=10,
    )
    acl = object_storage.client.get_object_acl(
        Bucket=object_storage.bucket, Key=project_file.oss_key
    )

    assert unsigned.status_code == 403
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in acl["Grants"])


def test_no_url_is_presigned_for_an_object_the_bucket_has_lost(
    auth_client, project, object_storage
):
    project_file = upload(project)
    object_storage.client.delete_object(Bucket=object_storage.bucket, Key=project_file.oss_key)

    response = auth_client.post(url_for(project_file.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "文件不存在"}


def test_unreachable_object_storage_is_a_clear_503(auth_client, project, object_storage, settings):
    project_file = upload(project)
    settings.AWS_S3_ENDPOINT_URL = closed_port_url()
    settings.STORAGES = {**settings.STORAGES}  # a storage made anew, with the endpoint down

    response = auth_client.post(url_for(project_file.pk))

    assert response.status_code == 503
    assert response.json() == {"detail": "文件存储暂不可用，请稍后再试"}
