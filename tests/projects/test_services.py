"""The projects services: stored files and their records, links and tasks."""

import re

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from csa.errors import ApplicationError
from projects import services
from projects.models import Project, ProjectFile, ProjectTask, TaskStatus
from projects.storage import project_file_key, storage_key_name
from tests.projects.factories import (
    ProjectFactory,
    ProjectFileFactory,
    ProjectLinkFactory,
    ProjectTaskFactory,
)

pytestmark = pytest.mark.django_db


class NegativeSizeUpload(SimpleUploadedFile):
    """An upload whose size no file can have: the row's check constraint refuses it."""

    @property
    def size(self) -> int:
        return -1

    @size.setter
    def size(self, value) -> None:
        pass


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("项目文档.pdf", "项目文档.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\报告.docx", "报告.docx"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("  ..  ", "file"),
        ("", "file"),
    ],
)
def test_a_key_name_keeps_the_name_without_paths_or_control_characters(filename, expected):
    assert storage_key_name(filename) == expected


def test_a_long_name_is_cut_keeping_its_extension():
    name = storage_key_name("长" * 300 + ".pdf")

    assert name == "长" * 58 + ".pdf"  # 178 bytes: a file system's 255-byte name limit holds


def test_keys_are_unguessable_and_never_repeat():
    keys = {project_file_key(project_id="p1", filename="a.pdf") for _ in range(50)}

    assert len(keys) == 50
    assert all(re.fullmatch(r"projects/p1/[0-9a-f]{16}/a\.pdf", key) for key in keys)


def test_an_upload_is_stored_and_recorded(local_storage):
    project = ProjectFactory()

    project_file = services.project_file_upload(
        project=project,
        upload=SimpleUploadedFile("设计稿.png", b"\x89PNG data", content_type="image/png"),
        tag="设计",
    )

    assert re.fullmatch(rf"projects/{project.pk}/[0-9a-f]{{16}}/设计稿\.png", project_file.oss_key)
    assert (project_file.filename, project_file.file_size) == ("设计稿.png", 9)
    assert (project_file.content_type, project_file.tag) == ("image/png", "设计")
    with default_storage.open(project_file.oss_key, "rb") as stored:
        assert stored.read() == b"\x89PNG data"


def test_an_upload_without_a_declared_type_is_typed_by_its_name(local_storage):
    project_file = services.project_file_upload(
        project=ProjectFactory(), upload=SimpleUploadedFile("表格.csv", b"a,b", content_type="")
    )

    assert project_file.content_type == "text/csv"
    assert project_file.tag is None


def test_an_upload_may_be_named_for_the_customer(local_storage):
    project_file = services.project_file_upload(
        project=ProjectFactory(),
        upload=SimpleUploadedFile("scan_0001.pdf", b"x"),
        filename="合同扫描件.pdf",
    )

    assert project_file.filename == "合同扫描件.pdf"
    assert project_file.oss_key.endswith("/合同扫描件.pdf")


def test_an_upload_whose_record_fails_leaves_no_object(local_storage):
    project = ProjectFactory()

    with pytest.raises(IntegrityError):
        services.project_file_upload(project=project, upload=NegativeSizeUpload("a.pdf", b"x"))

    assert not ProjectFile.objects.exists()
    assert [path for path in local_storage.rglob("*") if path.is_file()] == []


def test_deleting_a_file_removes_its_object_on_commit(
    local_storage, django_capture_on_commit_callbacks
):
    project_file = services.project_file_upload(
        project=ProjectFactory(), upload=SimpleUploadedFile("a.pdf", b"x")
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.project_item_delete(item=project_file)

    assert not ProjectFile.objects.exists()
    assert not default_storage.exists(project_file.oss_key)


def test_deleting_a_project_removes_every_object_on_commit(
    local_storage, django_capture_on_commit_callbacks
):
    project = ProjectFactory()
    keys = [
        services.project_file_upload(project=project, upload=SimpleUploadedFile(n, b"x")).oss_key
        for n in ("a.pdf", "b.pdf")
    ]
    ProjectLinkFactory(project=project)
    ProjectTaskFactory(project=project)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.project_delete(project=project)

    assert len(callbacks) == 1
    assert not Project.objects.exists()
    assert not any(default_storage.exists(key) for key in keys)


class UndeletableStorage(FileSystemStorage):
    """Object storage that is down: every delete fails."""

    def delete(self, name: str) -> None:
        raise OSError("storage unavailable")


def test_a_failed_object_delete_is_logged_and_the_record_stays_deleted(
    settings, local_storage, django_capture_on_commit_callbacks, caplog
):
    project_file = services.project_file_upload(
        project=ProjectFactory(), upload=SimpleUploadedFile("a.pdf", b"x")
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.UndeletableStorage"},
    }

    with django_capture_on_commit_callbacks(execute=True):
        services.project_item_delete(item=project_file)

    assert not ProjectFile.objects.exists()
    assert f"Deleting stored file {project_file.oss_key} failed" in caplog.text


def test_completing_a_task_records_when_and_reopening_clears_it():
    task = ProjectTaskFactory()

    completed = services.project_task_complete(task=task)
    reopened = services.project_item_update(item=completed, changes={"status": "pending"})

    assert completed.status == TaskStatus.COMPLETED
    assert completed.completed_at is not None
    assert completed.updated_at is not None
    assert reopened.status == TaskStatus.PENDING
    assert reopened.completed_at is None


def test_a_task_created_completed_has_its_time():
    task = services.project_task_create(
        project=ProjectFactory(), title="交付", status=TaskStatus.COMPLETED
    )

    assert task.completed_at is not None
    assert task.description is None


def test_the_database_refuses_a_completed_task_without_its_time():
    with pytest.raises(IntegrityError):
        ProjectTask.objects.create(project=ProjectFactory(), title="x", status=TaskStatus.COMPLETED)


def test_an_update_that_changes_nothing_leaves_updated_at_alone():
    link = ProjectLinkFactory()

    same = services.project_item_update(item=link, changes={"title": link.title})

    assert same.updated_at is None


def test_a_blank_description_is_stored_as_null():
    link = ProjectLinkFactory(description="说明")

    updated = services.project_item_update(item=link, changes={"description": ""})

    assert updated.description is None
    assert updated.updated_at is not None


def test_only_editable_fields_may_change():
    project_file = ProjectFileFactory()

    with pytest.raises(ApplicationError, match="不能修改项目文件的字段：oss_key"):
        services.project_item_update(item=project_file, changes={"oss_key": "elsewhere"})


def test_a_project_update_sets_updated_at():
    project = ProjectFactory()

    updated = services.project_update(project=project, changes={"name": "新名字"})

    assert updated.name == "新名字"
    assert updated.updated_at is not None
