"""The services directly: what is stored is recorded, and what is deleted leaves no object."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.db.models import ProtectedError

from csa.errors import ApplicationError
from tests.factories import UserFactory
from tests.uploads import samples
from uploads import services
from uploads.models import UploadedFile

pytestmark = pytest.mark.django_db


def create(owner, name: str = "a.pdf", content: bytes | None = None, tag: str | None = None):
    content = samples.pdf() if content is None else content
    return services.uploaded_file_create(
        owner=owner, upload=SimpleUploadedFile(name, content), tag=tag
    )


def stored_keys(media_root) -> list[str]:
    if not media_root.exists():
        return []
    return [p.relative_to(media_root).as_posix() for p in media_root.rglob("*") if p.is_file()]


def test_a_record_that_cannot_be_written_leaves_no_object(local_storage, monkeypatch):
    def refuse(*args, **kwargs):
        raise IntegrityError("no")

    monkeypatch.setattr(UploadedFile.objects, "create", refuse)

    with pytest.raises(IntegrityError):
        create(UserFactory())

    assert stored_keys(local_storage) == []


def test_a_control_character_or_path_in_the_name_is_not_kept(local_storage):
    uploaded_file = create(UserFactory(), name="C:\\Users\\张三\\报\r\n告.pdf")

    assert uploaded_file.filename == "报告.pdf"


def test_a_name_of_nothing_but_dots_becomes_file(local_storage):
    assert create(UserFactory(), name=" ... ").filename == "file"


@pytest.mark.parametrize(("limit", "text"), [(100 * 1024 * 1024, "100MB"), (1536, "1536字节")])
def test_the_size_message_follows_the_setting(settings, limit, text):
    settings.UPLOAD_MAX_BYTES = limit

    with pytest.raises(ApplicationError) as refused:
        services.upload_size_check(limit + 1)

    assert (refused.value.status_code, refused.value.message) == (413, f"文件大小不能超过{text}")


@pytest.mark.parametrize("length", [None, "", "abc", "-5", str(100 * 1024 * 1024 + 1024)])
def test_a_body_length_within_the_limit_or_unknown_passes_the_early_check(length):
    services.upload_body_size_check(length)


def test_deleting_a_file_removes_its_object_once_committed(
    local_storage, django_capture_on_commit_callbacks
):
    uploaded_file = create(UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        services.uploaded_file_delete(uploaded_file=uploaded_file)

    assert not UploadedFile.objects.exists()
    assert not default_storage.exists(uploaded_file.oss_key)


@pytest.mark.parametrize(
    "fields",
    [{"filename": ""}, {"oss_key": ""}, {"kind": "exe"}, {"file_size": -1}],
)
def test_the_database_refuses_a_record_that_breaks_a_rule(fields):
    record = {
        "owner": UserFactory(),
        "filename": "a.pdf",
        "file_size": 1,
        "content_type": "application/pdf",
        "kind": "pdf",
        "oss_key": "uploads/x/y.pdf",
        **fields,
    }

    with pytest.raises(IntegrityError):
        UploadedFile.objects.create(**record)


def test_a_customer_with_files_cannot_be_deleted_under_them(local_storage):
    owner = UserFactory()
    create(owner)

    with pytest.raises(ProtectedError):
        owner.delete()
