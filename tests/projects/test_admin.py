"""The staff console for projects: files, links and tasks in one form, in both storage homes."""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from projects.models import Project, ProjectFile, ProjectTask, TaskStatus
from tests.factories import UserFactory
from tests.projects.factories import (
    ProjectFactory,
    ProjectFileFactory,
    ProjectLinkFactory,
    ProjectTaskFactory,
)
from tests.storage_fixtures import ObjectStore

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n\x00\x01\x02 binary \xff\xfe content"
NOTES_BYTES = "会议纪要\nline two\r\n".encode()
# 109 characters, 319 bytes in UTF-8: more than a file system allows in one path segment.
LONG_CHINESE_NAME = "关于" + "云服务平台建设" * 13 + "的研究报告（最终修订版）.pdf"
NO_UPLOAD = "请选择要上传的文件"
NO_REPLACING = "已上传的文件不能替换；请删除这条记录后重新上传"


@dataclass
class FileStore:
    """Where the console puts project files, and how a customer's download URL is fetched."""

    read: Callable[[str], bytes]
    stored_keys: Callable[[], set[str]]
    fetch: Callable[[str], bytes]


def s3_store(store: ObjectStore) -> FileStore:
    def fetch(url: str) -> bytes:
        assert url.startswith(f"{store.endpoint_url}/{store.bucket}/")
        response = requests.get(url, timeout=10)
        assert response.status_code == 200
        return response.content

    return FileStore(read=store.read, stored_keys=lambda: set(store.keys()), fetch=fetch)


def disk_store(media_root: Path) -> FileStore:
    def fetch(url: str) -> bytes:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("http", "testserver")
        assert parts.path.startswith("/api/projects/files/download/")
        response = APIClient().get(parts.path)
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    def stored_keys() -> set[str]:
        if not media_root.exists():
            return set()
        return {p.relative_to(media_root).as_posix() for p in media_root.rglob("*") if p.is_file()}

    return FileStore(
        read=lambda key: (media_root / key).read_bytes(), stored_keys=stored_keys, fetch=fetch
    )


@pytest.fixture(params=["object_storage", "local_storage"])
def file_store(request) -> FileStore:
    home = request.getfixturevalue(request.param)
    return s3_store(home) if request.param == "object_storage" else disk_store(home)


@pytest.fixture
def customer() -> User:
    return UserFactory(email="customer@example.com")


@pytest.fixture
def customer_client(customer, client_for) -> APIClient:
    return client_for(customer)


@pytest.fixture
def stored_file(file_store) -> Callable[..., ProjectFile]:
    """A file record whose object really sits in the store, written without the services."""

    def make(project: Project, filename: str = "交付物.pdf", content: bytes = PDF_BYTES):
        key = f"projects/{project.pk}/{secrets.token_hex(8)}/{filename}"
        key = default_storage.save(key, ContentFile(content))
        return ProjectFileFactory(
            project=project, filename=filename, file_size=len(content), oss_key=key
        )

    return make


def pdf_upload(name: str = "项目文档.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def notes_upload(name: str = "notes.txt", content: bytes = NOTES_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def inline_rows(prefix: str, rows: list[dict]) -> dict:
    """One inline formset as the browser posts it; rows with an "id" are the existing ones."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(sum("id" in row for row in rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def add_form(owner: User, *, files=(), links=(), tasks=(), **fields) -> dict:
    project = {"owner": owner.pk, "name": "官网改版", "description": "", "overview_markdown": ""}
    return {
        **project,
        **fields,
        **inline_rows("files", list(files)),
        **inline_rows("links", list(links)),
        **inline_rows("tasks", list(tasks)),
    }


def existing_rows(project: Project) -> dict[str, list[dict]]:
    """The project's files, links and tasks as the change page posts them back untouched."""
    return {
        "files": [
            {"id": f.pk, "project": project.pk, "filename": f.filename, "tag": f.tag or ""}
            for f in project.files.all()
        ],
        "links": [
            {
                "id": link.pk,
                "project": project.pk,
                "title": link.title,
                "url": link.url,
                "description": link.description or "",
            }
            for link in project.links.all()
        ],
        "tasks": [
            {
                "id": t.pk,
                "project": project.pk,
                "title": t.title,
                "description": t.description or "",
                "status": t.status,
            }
            for t in project.tasks.all()
        ],
    }


def change_form(project: Project, rows: dict[str, list[dict]] | None = None, **fields) -> dict:
    rows = existing_rows(project) if rows is None else rows
    form = {
        "name": project.name,
        "description": project.description or "",
        "overview_markdown": project.overview_markdown,
        **fields,
    }
    for prefix in ("files", "links", "tasks"):
        form.update(inline_rows(prefix, rows[prefix]))
    return form


def add_url() -> str:
    return reverse("admin:projects_project_add")


def change_url(project: Project) -> str:
    return reverse("admin:projects_project_change", args=[project.pk])


def key_pattern(project: Project, filename: str) -> str:
    return rf"projects/{project.pk}/[0-9a-f]{{16}}/{re.escape(filename)}"


# --- the journey -----------------------------------------------------------------------------


def test_staff_create_a_project_in_one_form_and_the_customer_downloads_it(
    console, customer, customer_client, file_store
):
    response = console.post(
        add_url(),
        add_form(
            customer,
            name="官网改版",
            description="2025 年官网改版",
            overview_markdown="# 概述",
            files=[
                {"upload": pdf_upload(), "filename": "", "tag": "文档"},
                {"upload": notes_upload(), "filename": "", "tag": "纪要"},
            ],
            links=[{"title": "设计稿", "url": "https://design.example.com/p/1", "description": ""}],
            tasks=[
                {"title": "需求确认", "description": "与客户确认需求", "status": "completed"},
                {"title": "首页设计", "description": "", "status": "pending"},
            ],
        ),
    )

    assert response.status_code == 302
    project = Project.objects.get(owner=customer)
    assert (project.name, project.description, project.overview_markdown) == (
        "官网改版",
        "2025 年官网改版",
        "# 概述",
    )
    pdf = project.files.get(filename="项目文档.pdf")
    notes = project.files.get(filename="notes.txt")
    assert re.fullmatch(key_pattern(project, "项目文档.pdf"), pdf.oss_key)
    assert re.fullmatch(key_pattern(project, "notes.txt"), notes.oss_key)
    assert (pdf.file_size, pdf.content_type, pdf.tag) == (len(PDF_BYTES), "application/pdf", "文档")
    assert (notes.file_size, notes.content_type, notes.tag) == (
        len(NOTES_BYTES),
        "text/plain",
        "纪要",
    )
    assert file_store.stored_keys() == {pdf.oss_key, notes.oss_key}
    assert file_store.read(pdf.oss_key) == PDF_BYTES
    assert file_store.read(notes.oss_key) == NOTES_BYTES
    link = project.links.get()
    assert (link.title, link.url, link.description) == (
        "设计稿",
        "https://design.example.com/p/1",
        None,
    )
    done = project.tasks.get(title="需求确认")
    todo = project.tasks.get(title="首页设计")
    assert (done.status, done.description) == (TaskStatus.COMPLETED, "与客户确认需求")
    assert done.completed_at is not None
    assert (todo.status, todo.completed_at, todo.description) == (TaskStatus.PENDING, None, None)

    mine = customer_client.get("/api/projects/me").json()
    assert [item["id"] for item in mine["items"]] == [str(project.pk)]
    files_url = f"/api/projects/{project.pk}/files"
    listed = customer_client.get(files_url).json()
    assert listed["total"] == 2
    assert {item["filename"] for item in listed["items"]} == {"项目文档.pdf", "notes.txt"}
    by_name = customer_client.get(files_url, {"filename": "NOTES"}).json()
    assert [item["id"] for item in by_name["items"]] == [str(notes.pk)]
    by_tag = customer_client.get(files_url, {"tag": "文档"}).json()
    assert [item["id"] for item in by_tag["items"]] == [str(pdf.pk)]
    for project_file, content in ((pdf, PDF_BYTES), (notes, NOTES_BYTES)):
        answer = customer_client.post(f"/api/projects/files/{project_file.pk}/download-url")
        assert answer.status_code == 200
        assert file_store.fetch(answer.json()["download_url"]) == content


def test_a_stranger_gets_no_download_url_for_a_console_made_file(
    console, customer, make_token, local_storage
):
    console.post(
        add_url(), add_form(customer, files=[{"upload": pdf_upload(), "filename": "", "tag": ""}])
    )
    project_file = ProjectFile.objects.get()
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(UserFactory())}")

    response = stranger.post(f"/api/projects/files/{project_file.pk}/download-url")

    assert response.status_code == 403


def test_a_link_given_without_a_scheme_is_taken_as_https(console, customer):
    link_row = {"title": "设计稿", "url": "design.example.com/p/1", "description": ""}

    response = console.post(add_url(), add_form(customer, links=[link_row]))

    assert response.status_code == 302
    assert Project.objects.get().links.get().url == "https://design.example.com/p/1"


# --- adding files ----------------------------------------------------------------------------


def test_a_file_row_without_an_upload_is_refused_and_nothing_is_stored(
    console, customer, file_store
):
    response = console.post(
        add_url(),
        add_form(
            customer,
            files=[
                {"upload": pdf_upload(), "filename": "", "tag": "文档"},
                {"filename": "合同.pdf", "tag": "合同"},
            ],
        ),
    )

    assert response.status_code == 200
    assert NO_UPLOAD in response.content.decode()
    assert not Project.objects.exists()
    assert not ProjectFile.objects.exists()
    assert file_store.stored_keys() == set()


def test_an_invalid_project_stores_none_of_its_uploads(console, customer, file_store):
    response = console.post(
        add_url(), add_form(customer, name="", files=[{"upload": pdf_upload(), "filename": ""}])
    )

    assert response.status_code == 200
    assert not Project.objects.exists()
    assert file_store.stored_keys() == set()


def test_a_new_file_row_marked_for_deletion_is_not_stored(console, customer, file_store):
    rows = [
        {"upload": pdf_upload(), "filename": "", "DELETE": "on"},
        {"upload": notes_upload(), "filename": ""},
    ]

    response = console.post(add_url(), add_form(customer, files=rows))

    assert response.status_code == 302
    project_file = ProjectFile.objects.get()
    assert project_file.filename == "notes.txt"
    assert file_store.stored_keys() == {project_file.oss_key}


@pytest.mark.parametrize(
    ("given", "expected"),
    [("", "项目文档.pdf"), ("  ", "项目文档.pdf"), ("最终版交付.pdf", "最终版交付.pdf")],
)
def test_the_filename_is_the_given_one_or_else_the_uploads(
    console, customer, file_store, given, expected
):
    console.post(add_url(), add_form(customer, files=[{"upload": pdf_upload(), "filename": given}]))

    project_file = ProjectFile.objects.get()
    assert project_file.filename == expected
    assert re.fullmatch(key_pattern(project_file.project, expected), project_file.oss_key)
    assert file_store.read(project_file.oss_key) == PDF_BYTES


def test_a_file_is_added_to_an_existing_project(console, customer, file_store):
    project = ProjectFactory(owner=customer)
    rows = existing_rows(project)
    rows["files"].append({"upload": notes_upload(), "filename": "", "tag": "纪要"})

    response = console.post(change_url(project), change_form(project, rows))

    assert response.status_code == 302
    project_file = project.files.get()
    assert re.fullmatch(key_pattern(project, "notes.txt"), project_file.oss_key)
    assert file_store.read(project_file.oss_key) == NOTES_BYTES


def test_a_long_chinese_file_name_is_stored(console, customer, file_store):
    response = console.post(
        add_url(),
        add_form(customer, files=[{"upload": pdf_upload(LONG_CHINESE_NAME), "filename": ""}]),
    )

    assert response.status_code == 302
    project_file = ProjectFile.objects.get()
    assert project_file.filename == LONG_CHINESE_NAME
    assert len(project_file.oss_key.rsplit("/", 1)[-1].encode()) <= 255
    assert file_store.read(project_file.oss_key) == PDF_BYTES


# --- editing and deleting files --------------------------------------------------------------


def test_editing_a_file_row_renames_and_retags_it(console):
    project_file = ProjectFileFactory(filename="草稿.pdf", tag="草稿")
    project = project_file.project
    rows = existing_rows(project)
    rows["files"][0].update(filename="定稿.pdf", tag="定稿")

    response = console.post(change_url(project), change_form(project, rows))

    assert response.status_code == 302
    edited = ProjectFile.objects.get(pk=project_file.pk)
    assert (edited.filename, edited.tag) == ("定稿.pdf", "定稿")
    assert edited.oss_key == project_file.oss_key
    assert edited.updated_at is not None


def test_a_file_row_posted_back_untouched_stays_as_it_was(console):
    project_file = ProjectFileFactory()
    project = project_file.project

    response = console.post(change_url(project), change_form(project))

    assert response.status_code == 302
    assert ProjectFile.objects.get(pk=project_file.pk).updated_at is None


def test_saving_the_page_back_untouched_as_a_browser_does_stamps_nothing(console):
    project = ProjectFactory(description="第一行\n第二行", overview_markdown="# 概述\n\n正文")
    task = ProjectTaskFactory(project=project, description="第一行\n第二行")
    link = ProjectLinkFactory(project=project, description="第一行\n第二行")
    # A browser submits every textarea with CRLF line breaks, whatever it was given.
    form = {
        name: value.replace("\n", "\r\n") if isinstance(value, str) else value
        for name, value in change_form(project).items()
    }

    response = console.post(change_url(project), form)

    assert response.status_code == 302
    project.refresh_from_db()
    task.refresh_from_db()
    link.refresh_from_db()
    assert (project.overview_markdown, project.updated_at) == ("# 概述\n\n正文", None)
    assert (task.description, task.updated_at) == ("第一行\n第二行", None)
    assert (link.description, link.updated_at) == ("第一行\n第二行", None)


def test_an_existing_file_cannot_be_renamed_to_nothing(console):
    project_file = ProjectFileFactory(filename="定稿.pdf")
    project = project_file.project
    rows = existing_rows(project)
    rows["files"][0]["filename"] = ""

    response = console.post(change_url(project), change_form(project, rows))

    assert response.status_code == 200
    assert "文件名不能为空" in response.content.decode()
    assert ProjectFile.objects.get(pk=project_file.pk).filename == "定稿.pdf"


def test_replacing_the_upload_of_an_existing_file_is_refused(console, stored_file, file_store):
    project_file = stored_file(ProjectFactory())
    project = project_file.project
    rows = existing_rows(project)
    rows["files"][0]["upload"] = notes_upload()

    response = console.post(change_url(project), change_form(project, rows))

    assert response.status_code == 200
    assert NO_REPLACING in response.content.decode()
    unchanged = ProjectFile.objects.get(pk=project_file.pk)
    assert (unchanged.oss_key, unchanged.file_size) == (project_file.oss_key, len(PDF_BYTES))
    assert file_store.stored_keys() == {project_file.oss_key}
    assert file_store.read(project_file.oss_key) == PDF_BYTES


def test_deleting_a_file_row_removes_the_record_and_then_the_object(
    console, stored_file, file_store, django_capture_on_commit_callbacks
):
    project = ProjectFactory()
    going = stored_file(project, "旧版.pdf")
    staying = stored_file(project, "新版.pdf")
    rows = existing_rows(project)
    for row in rows["files"]:
        if row["id"] == going.pk:
            row["DELETE"] = "on"

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(change_url(project), change_form(project, rows))
        # The object outlives the row until the delete commits, so a rollback loses nothing.
        assert going.oss_key in file_store.stored_keys()

    assert response.status_code == 302
    assert list(project.files.all()) == [staying]
    assert file_store.stored_keys() == {staying.oss_key}


def test_a_deleted_file_row_whose_request_fails_keeps_its_object(
    console, stored_file, file_store, django_capture_on_commit_callbacks
):
    project = ProjectFactory()
    project_file = stored_file(project)
    rows = existing_rows(project)
    rows["files"][0]["DELETE"] = "on"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = console.post(change_url(project), change_form(project, rows, name=""))

    assert response.status_code == 200
    assert callbacks == []
    assert ProjectFile.objects.filter(pk=project_file.pk).exists()
    assert file_store.stored_keys() == {project_file.oss_key}


# --- deleting projects -----------------------------------------------------------------------


def test_deleting_a_project_removes_its_stored_objects(
    console, stored_file, file_store, django_capture_on_commit_callbacks
):
    project = ProjectFactory()
    stored_file(project, "一.pdf")
    stored_file(project, "二.pdf")
    ProjectTaskFactory(project=project)
    other = stored_file(ProjectFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    assert list(ProjectFile.objects.all()) == [other]
    assert not ProjectTask.objects.exists()
    assert file_store.stored_keys() == {other.oss_key}


def test_bulk_deleting_projects_removes_their_stored_objects(
    console, stored_file, file_store, django_capture_on_commit_callbacks
):
    first, second, kept = ProjectFactory(), ProjectFactory(), ProjectFactory()
    stored_file(first)
    stored_file(second, "a.txt", b"a")
    stored_file(second, "b.txt", b"b")
    other = stored_file(kept)

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            reverse("admin:projects_project_changelist"),
            {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert list(Project.objects.all()) == [kept]
    assert list(ProjectFile.objects.all()) == [other]
    assert file_store.stored_keys() == {other.oss_key}


# --- tasks -----------------------------------------------------------------------------------


def set_task_status(console, task: ProjectTask, status: str):
    project = task.project
    rows = existing_rows(project)
    rows["tasks"][0]["status"] = status
    return console.post(change_url(project), change_form(project, rows))


def test_completing_a_task_in_the_inline_stamps_it_and_reopening_clears_it(console):
    task = ProjectTaskFactory()

    completed = set_task_status(console, task, "completed")

    assert completed.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED
    assert task.completed_at is not None
    assert task.updated_at is not None

    reopened = set_task_status(console, task, "pending")

    assert reopened.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.completed_at) == (TaskStatus.PENDING, None)


def test_mark_completed_completes_the_pending_tasks(console):
    first, second = ProjectTaskFactory(), ProjectTaskFactory()
    already = ProjectTaskFactory()
    ProjectTask.objects.filter(pk=already.pk).update(
        status=TaskStatus.COMPLETED, completed_at=already.created_at
    )
    untouched = ProjectTaskFactory()

    response = console.post(
        reverse("admin:projects_projecttask_changelist"),
        {"action": "mark_completed", "_selected_action": [first.pk, second.pk, already.pk]},
        follow=True,
    )

    assert "已将 2 个任务标记为已完成" in response.content.decode()
    for task in (first, second):
        task.refresh_from_db()
        assert task.status == TaskStatus.COMPLETED
        assert task.completed_at is not None
    already.refresh_from_db()
    assert already.completed_at == already.created_at
    assert already.updated_at is None
    untouched.refresh_from_db()
    assert (untouched.status, untouched.completed_at) == (TaskStatus.PENDING, None)


def test_tasks_are_not_added_on_their_own(console):
    response = console.get(reverse("admin:projects_projecttask_add"))

    assert response.status_code == 403


# --- the project page and list ---------------------------------------------------------------


def test_the_console_pages_open(console):
    project = ProjectFactory(name="官网改版")
    ProjectFileFactory(project=project, filename="交付物.pdf")
    ProjectTaskFactory(project=project, title="首页设计")

    add_page = console.get(add_url())
    change_page = console.get(change_url(project))
    delete_page = console.get(reverse("admin:projects_project_delete", args=[project.pk]))

    assert add_page.status_code == 200
    assert 'name="files-TOTAL_FORMS"' in add_page.content.decode()
    assert change_page.status_code == 200
    assert "交付物.pdf" in change_page.content.decode()
    assert "首页设计" in change_page.content.decode()
    assert delete_page.status_code == 200
    assert "交付物.pdf" in delete_page.content.decode()


def test_the_overview_preview_is_rendered_and_sanitized(console):
    project = ProjectFactory(
        overview_markdown="# 标题\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>"
    )

    response = console.get(change_url(project))

    assert response.status_code == 200
    page = response.content.decode()
    match = re.search(r'class="project-overview">(.*?)</div>', page, re.DOTALL)
    assert match, "no overview preview on the page"
    preview = match.group(1)
    assert "<h1>标题</h1>" in preview
    assert "<script" not in preview
    assert "onerror" not in preview
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page


def test_editing_the_project_fields_stamps_updated_at(console, customer):
    project = ProjectFactory(owner=customer, name="旧名")

    response = console.post(
        change_url(project), change_form(project, name="新名", owner=UserFactory().pk)
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.owner) == ("新名", customer)
    assert project.updated_at is not None


def test_the_list_searches_by_owner_email(console):
    ProjectFactory(owner=UserFactory(email="alice@corp.example"), name="甲项目")
    ProjectFactory(owner=UserFactory(email="bob@corp.example"), name="乙项目")

    page = console.get(reverse("admin:projects_project_changelist"), {"q": "ALICE@"})

    assert page.status_code == 200
    assert "甲项目" in page.content.decode()
    assert "乙项目" not in page.content.decode()


@pytest.mark.parametrize("search", [{}, {"q": "example"}])
def test_the_list_queries_do_not_grow_with_rows(console, django_assert_max_num_queries, search):
    url = reverse("admin:projects_project_changelist")
    ProjectFactory.create_batch(3)
    with django_assert_max_num_queries(100) as few:
        console.get(url, search)
    ProjectFactory.create_batch(3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = console.get(url, search)
    assert page.content.decode().count('class="action-select"') == 6


def test_customers_cannot_open_the_project_console(user):
    client = Client()
    client.force_login(user)

    response = client.get(reverse("admin:projects_project_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_project_overview_is_previewed_while_staff_type(console):
    page = console.get(reverse("admin:projects_project_add")).content.decode()

    assert 'name="overview_markdown"' in page
    assert 'data-markdown-preview="/admin/markdown-preview/"' in page
    assert 'name="description"' in page and page.count("data-markdown-preview=") == 1
