"""The console's uploaded files: a list that scales, a read-only page with a download link,
deletes that take the stored object along, and the inline for a user's page."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import UserFactory
from tests.uploads import samples
from tests.uploads.factories import UploadedFileFactory
from uploads import services
from uploads.admin import INLINE_ROWS
from uploads.models import FileKind, UploadedFile

pytestmark = pytest.mark.django_db

LIST = reverse("admin:uploads_uploadedfile_changelist")


def change_url(uploaded_file: UploadedFile) -> str:
    return reverse("admin:uploads_uploadedfile_change", args=[uploaded_file.pk])


def page(console, url: str, **query) -> str:
    response = console.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def uploaded(owner: User, name: str = "季度报告.pdf", content: bytes | None = None):
    content = samples.pdf() if content is None else content
    return services.uploaded_file_create(owner=owner, upload=SimpleUploadedFile(name, content))


def test_the_list_shows_who_uploaded_what(console, local_storage):
    owner = UserFactory(email="alice@corp.example")
    UploadedFileFactory(owner=owner, filename="合同扫描件.pdf", file_size=2048, tag="合同")

    listed = page(console, LIST)

    for text in ["合同扫描件.pdf", "alice@corp.example", "PDF 文档", "2.0\xa0KB", "合同"]:
        assert text in listed, text


def test_files_are_found_by_id_customer_or_name(console):
    alice = UserFactory(email="alice@corp.example", phone="+8613800000001")
    report = UploadedFileFactory(owner=alice, filename="季度报告终稿.pdf")
    UploadedFileFactory(filename="网站截图.png", kind=FileKind.PNG)

    for term in [str(report.pk), "ALICE@corp.example", "+8613800000001", "报告终稿"]:
        found = page(console, LIST, q=term)
        assert "季度报告终稿.pdf" in found and "网站截图.png" not in found, term


def test_the_list_filters_by_format(console):
    UploadedFileFactory(filename="a.pdf")
    UploadedFileFactory(filename="b.png", kind=FileKind.PNG)

    listed = page(console, LIST, kind__exact="png")

    assert "b.png" in listed and "a.pdf" not in listed


@pytest.mark.parametrize("query", [{}, {"q": "example"}, {"kind__exact": "pdf"}])
def test_the_list_queries_do_not_grow_with_rows(console, django_assert_max_num_queries, query):
    UploadedFileFactory.create_batch(3)
    with django_assert_max_num_queries(100) as few:
        console.get(LIST, query)
    UploadedFileFactory.create_batch(3)

    with django_assert_max_num_queries(len(few.captured_queries)):
        listed = page(console, LIST, **query)

    assert listed.count('class="action-select"') == 6


def test_the_page_of_a_file_downloads_it(console, local_storage):
    uploaded_file = uploaded(UserFactory())

    shown = page(console, change_url(uploaded_file))

    link = shown.split('<a href="/api/files/download/', 1)[1].split('"', 1)[0]
    download = APIClient().get(f"/api/files/download/{link}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == samples.pdf()
    assert uploaded_file.oss_key in shown


def test_the_page_of_a_file_in_the_bucket_links_a_presigned_url(console, object_storage):
    uploaded_file = uploaded(UserFactory())

    shown = page(console, change_url(uploaded_file))

    assert f'href="{object_storage.endpoint_url}/{object_storage.bucket}/uploads/' in shown


def test_staff_neither_add_nor_edit_files(console):
    uploaded_file = UploadedFileFactory()

    assert console.get(reverse("admin:uploads_uploadedfile_add")).status_code == 403
    edited = console.post(change_url(uploaded_file), {"filename": "改名.pdf", "tag": ""})

    assert edited.status_code == 403
    uploaded_file.refresh_from_db()
    assert uploaded_file.filename != "改名.pdf"


def test_deleting_a_file_in_the_console_deletes_its_object(
    console, local_storage, django_capture_on_commit_callbacks
):
    uploaded_file = uploaded(UserFactory())
    url = reverse("admin:uploads_uploadedfile_delete", args=[uploaded_file.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not UploadedFile.objects.exists()
    assert not default_storage.exists(uploaded_file.oss_key)


def test_deleting_files_in_bulk_deletes_their_objects(
    console, local_storage, django_capture_on_commit_callbacks
):
    files = [uploaded(UserFactory(), name=f"{n}.pdf") for n in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            LIST,
            {"action": "delete_selected", "_selected_action": [f.pk for f in files], "post": "yes"},
        )

    assert response.status_code == 302
    assert not UploadedFile.objects.exists()
    assert not any(default_storage.exists(f.oss_key) for f in files)


def test_customers_cannot_open_the_console_list(user, client):
    client.force_login(user)

    assert client.get(LIST).status_code == 302


# --- the inline on a user's page -------------------------------------------------------------


def user_page(console, owner: User) -> str:
    return console.get(f"/admin/accounts/user/{owner.pk}/change/").content.decode()


def test_a_users_page_lists_their_newest_files_read_only(console):
    owner = UserFactory()
    start = timezone.now()
    for n in range(INLINE_ROWS + 2):
        UploadedFileFactory(owner=owner, filename=f"第{n}份.pdf")
    UploadedFile.objects.filter(owner=owner).update(created_at=start)
    for uploaded_file in UploadedFile.objects.all():
        uploaded_file.created_at = start + timedelta(minutes=int(uploaded_file.filename[1:-5]))
        uploaded_file.save(update_fields=["created_at"])
    UploadedFileFactory(filename="别人的.pdf")

    shown = user_page(console, owner)

    assert "第21份.pdf" in shown and "第2份.pdf" in shown
    assert "第1份.pdf" not in shown and "第0份.pdf" not in shown and "别人的.pdf" not in shown
    assert shown.index("第21份.pdf") < shown.index("第20份.pdf")
    assert "查看该用户的全部文件" in shown


def test_a_users_page_costs_the_same_however_many_files(console, django_assert_max_num_queries):
    owner = UserFactory()
    UploadedFileFactory.create_batch(2, owner=owner)
    with django_assert_max_num_queries(100) as few:
        user_page(console, owner)
    UploadedFileFactory.create_batch(5, owner=owner)

    with django_assert_max_num_queries(len(few.captured_queries)):
        user_page(console, owner)
