"""The customer's project routes: 5.1 list, 5.2 detail, 5.3 files, 5.5 links, 5.6 tasks."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import Project, ProjectTask, TaskStatus
from tests.factories import UserFactory
from tests.projects.factories import (
    ProjectFactory,
    ProjectFileFactory,
    ProjectLinkFactory,
    ProjectTaskFactory,
)

pytestmark = pytest.mark.django_db

PROJECT_FIELDS = {
    "id",
    "owner_email",
    "name",
    "description",
    "overview_markdown",
    "created_at",
    "updated_at",
}
FILE_FIELDS = {
    "id",
    "project_id",
    "filename",
    "file_size",
    "content_type",
    "tag",
    "oss_key",
    "created_at",
    "updated_at",
}
LINK_FIELDS = {"id", "project_id", "title", "url", "description", "created_at", "updated_at"}
TASK_FIELDS = {"id", "project_id", "title", "description", "status", "created_at", "updated_at"}
ITEM_ROUTES = ["files", "links", "tasks"]


def created_in_order(factory, count: int, **fields) -> list:
    """`count` rows, oldest first, a minute apart (created_at is auto_now_add)."""
    start = timezone.now() - timedelta(days=1)
    rows = factory.create_batch(count, **fields)
    for minute, row in enumerate(rows):
        type(row).objects.filter(pk=row.pk).update(created_at=start + timedelta(minutes=minute))
    return rows


@pytest.fixture
def project(user) -> Project:
    return ProjectFactory(owner=user)


@pytest.fixture
def strangers_project() -> Project:
    return ProjectFactory(owner=UserFactory(email="other@example.com"))


# --- 5.1 GET /api/projects/me --------------------------------------------------------------


def test_list_answers_total_and_items_of_my_projects(auth_client, user, project):
    ProjectFactory()  # someone else's

    response = auth_client.get("/api/projects/me")

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    (item,) = body["items"]
    assert set(item) == PROJECT_FIELDS
    assert item["id"] == str(project.pk)
    assert item["owner_email"] == user.email
    assert item["name"] == project.name
    assert item["description"] == "这是一个示例项目"
    assert item["overview_markdown"] == "# 项目概述\n\n这里是项目概述内容..."
    assert item["created_at"].endswith("Z")
    assert item["updated_at"] is None


def test_list_is_newest_first_and_pages_with_skip_and_limit(auth_client, user):
    projects = created_in_order(ProjectFactory, 12, owner=user)
    newest_first = [str(p.pk) for p in reversed(projects)]

    default = auth_client.get("/api/projects/me").json()
    page = auth_client.get("/api/projects/me?skip=10&limit=5").json()

    assert default["total"] == 12
    assert [item["id"] for item in default["items"]] == newest_first[:10]
    assert [item["id"] for item in page["items"]] == newest_first[10:]


@pytest.mark.parametrize("route", ["/api/projects/me", *ITEM_ROUTES])
def test_a_skip_past_the_databases_integers_is_an_empty_page(auth_client, project, route):
    # Found by the fuzz run: an OFFSET past 2**63 was a 500 on every database.
    url = route if route.startswith("/") else f"/api/projects/{project.pk}/{route}"

    response = auth_client.get(url, {"skip": 2**80})

    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=101", "limit不能大于100"),
        ("limit=0", "limit不能小于1"),
        ("skip=-1", "skip不能小于0"),
        ("limit=abc", "limit格式不正确"),
    ],
)
def test_list_refuses_bad_paging(auth_client, query, message):
    response = auth_client.get(f"/api/projects/me?{query}")

    assert response.status_code == 422
    assert response.json() == {"detail": message}


def test_an_admin_lists_only_their_own_projects(admin_client, project):
    response = admin_client.get("/api/projects/me")

    assert response.json() == {"total": 0, "items": []}


@pytest.mark.parametrize("rows", [3, 6])
def test_list_query_count_does_not_grow(auth_client, user, rows, django_assert_num_queries):
    ProjectFactory.create_batch(rows, owner=user)

    # session+user, count, page with owners
    with django_assert_num_queries(3):
        response = auth_client.get("/api/projects/me")

    assert response.json()["total"] == rows


def test_list_needs_a_token(api_client):
    response = api_client.get("/api/projects/me")

    assert response.status_code == 401
    assert response.json() == {"detail": "未提供认证凭据"}


# --- 5.2 GET /api/projects/{project_id} ----------------------------------------------------


def test_get_my_project(auth_client, user, project, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = auth_client.get(f"/api/projects/{project.pk}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROJECT_FIELDS
    assert body["id"] == str(project.pk)
    assert body["owner_email"] == user.email


def test_someone_elses_project_is_forbidden(auth_client, strangers_project):
    response = auth_client.get(f"/api/projects/{strangers_project.pk}")

    assert response.status_code == 403
    assert response.json() == {"detail": "无权访问此项目"}


@pytest.mark.parametrize("project_id", [uuid.uuid4(), "507f1f77bcf86cd799439040"])
def test_a_missing_project_is_not_found(auth_client, project_id):
    response = auth_client.get(f"/api/projects/{project_id}")

    assert response.status_code == 404
    assert response.json() == {"detail": "项目不存在"}


def test_an_admin_reads_any_project(admin_client, strangers_project):
    response = admin_client.get(f"/api/projects/{strangers_project.pk}")

    assert response.status_code == 200
    assert response.json()["owner_email"] == "other@example.com"


def test_detail_needs_a_token(api_client, project):
    assert api_client.get(f"/api/projects/{project.pk}").status_code == 401


# --- 5.3, 5.5, 5.6: the lists inside a project ---------------------------------------------


@pytest.mark.parametrize("route", ITEM_ROUTES)
def test_someone_elses_project_lists_are_forbidden(auth_client, strangers_project, route):
    ProjectFileFactory(project=strangers_project)
    ProjectLinkFactory(project=strangers_project)
    ProjectTaskFactory(project=strangers_project)

    response = auth_client.get(f"/api/projects/{strangers_project.pk}/{route}")

    assert response.status_code == 403
    assert response.json() == {"detail": "无权访问此项目"}


@pytest.mark.parametrize("route", ITEM_ROUTES)
@pytest.mark.parametrize("project_id", [uuid.uuid4(), "not-an-id"])
def test_lists_of_a_missing_project_are_not_found(auth_client, route, project_id):
    response = auth_client.get(f"/api/projects/{project_id}/{route}")

    assert response.status_code == 404
    assert response.json() == {"detail": "项目不存在"}


@pytest.mark.parametrize("route", ITEM_ROUTES)
def test_lists_need_a_token(api_client, project, route):
    assert api_client.get(f"/api/projects/{project.pk}/{route}").status_code == 401


@pytest.mark.parametrize("route", ITEM_ROUTES)
def test_an_admin_reads_any_projects_lists(admin_client, strangers_project, route):
    response = admin_client.get(f"/api/projects/{strangers_project.pk}/{route}")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("route", "factory"),
    [("files", ProjectFileFactory), ("links", ProjectLinkFactory), ("tasks", ProjectTaskFactory)],
)
def test_lists_page_with_default_100_and_at_most_500(auth_client, project, route, factory):
    rows = created_in_order(factory, 103, project=project)
    newest_first = [str(row.pk) for row in reversed(rows)]
    url = f"/api/projects/{project.pk}/{route}"

    default = auth_client.get(url).json()
    page = auth_client.get(f"{url}?skip=100&limit=500").json()
    too_many = auth_client.get(f"{url}?limit=501")

    assert default["total"] == 103
    assert [item["id"] for item in default["items"]] == newest_first[:100]
    assert [item["id"] for item in page["items"]] == newest_first[100:]
    assert too_many.status_code == 422
    assert too_many.json() == {"detail": "limit不能大于500"}


@pytest.mark.parametrize(
    ("route", "factory"),
    [("files", ProjectFileFactory), ("links", ProjectLinkFactory), ("tasks", ProjectTaskFactory)],
)
@pytest.mark.parametrize("rows", [3, 6])
def test_list_query_counts_do_not_grow(
    auth_client, project, route, factory, rows, django_assert_num_queries
):
    factory.create_batch(rows, project=project)

    # session+user, project with owner, count, page
    with django_assert_num_queries(4):
        response = auth_client.get(f"/api/projects/{project.pk}/{route}")

    assert response.json()["total"] == rows


@pytest.mark.parametrize(
    ("route", "factory"),
    [("files", ProjectFileFactory), ("links", ProjectLinkFactory), ("tasks", ProjectTaskFactory)],
)
def test_lists_hold_only_this_projects_items(auth_client, user, project, route, factory):
    mine = factory(project=project)
    factory(project=ProjectFactory(owner=user))  # another of my projects
    factory()  # someone else's

    body = auth_client.get(f"/api/projects/{project.pk}/{route}").json()

    assert body["total"] == 1
    assert body["items"][0]["id"] == str(mine.pk)


# --- 5.3 files ------------------------------------------------------------------------------


def test_files_answer_the_documented_fields(auth_client, project):
    project_file = ProjectFileFactory(
        project=project, filename="项目文档.pdf", file_size=1024000, tag="文档"
    )

    body = auth_client.get(f"/api/projects/{project.pk}/files").json()

    (item,) = body["items"]
    assert set(item) == FILE_FIELDS
    assert item == {
        "id": str(project_file.pk),
        "project_id": str(project.pk),
        "filename": "项目文档.pdf",
        "file_size": 1024000,
        "content_type": "application/pdf",
        "tag": "文档",
        "oss_key": project_file.oss_key,
        "created_at": item["created_at"],
        "updated_at": None,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filename=report", {"Report-2024.PDF", "final report.docx"}),
        ("filename=REPORT", {"Report-2024.PDF", "final report.docx"}),
        ("filename=文档", {"项目文档.pdf"}),
        ("filename=", {"Report-2024.PDF", "final report.docx", "项目文档.pdf", "logo.png"}),
        ("tag=文档", {"项目文档.pdf", "final report.docx"}),
        ("tag=文", set()),
        ("tag=设计", {"logo.png"}),
        ("filename=report&tag=文档", {"final report.docx"}),
        ("filename=nothing", set()),
    ],
)
def test_files_filter_by_partial_name_and_exact_tag(auth_client, project, query, expected):
    ProjectFileFactory(project=project, filename="Report-2024.PDF", tag=None)
    ProjectFileFactory(project=project, filename="final report.docx", tag="文档")
    ProjectFileFactory(project=project, filename="项目文档.pdf", tag="文档")
    ProjectFileFactory(project=project, filename="logo.png", tag="设计")

    body = auth_client.get(f"/api/projects/{project.pk}/files?{query}").json()

    assert {item["filename"] for item in body["items"]} == expected
    assert body["total"] == len(expected)


def test_a_file_without_a_tag_answers_null(auth_client, project):
    ProjectFileFactory(project=project, tag=None)

    (item,) = auth_client.get(f"/api/projects/{project.pk}/files").json()["items"]

    assert item["tag"] is None


# --- 5.5 links ------------------------------------------------------------------------------


def test_links_answer_the_documented_fields(auth_client, project):
    link = ProjectLinkFactory(project=project, description=None)

    (item,) = auth_client.get(f"/api/projects/{project.pk}/links").json()["items"]

    assert set(item) == LINK_FIELDS
    assert item["id"] == str(link.pk)
    assert item["project_id"] == str(project.pk)
    assert item["url"] == "https://docs.example.com/project"
    assert item["description"] is None


# --- 5.6 tasks ------------------------------------------------------------------------------


@pytest.fixture
def tasks(project) -> dict[str, ProjectTask]:
    pending = ProjectTaskFactory(project=project, title="完成项目文档")
    completed = ProjectTaskFactory(
        project=project, status=TaskStatus.COMPLETED, completed_at=timezone.now()
    )
    return {"pending": pending, "completed": completed}


def test_tasks_answer_the_documented_fields(auth_client, project, tasks):
    body = auth_client.get(f"/api/projects/{project.pk}/tasks").json()

    assert body["total"] == 2
    item = next(item for item in body["items"] if item["status"] == "pending")
    assert set(item) == TASK_FIELDS
    assert item["id"] == str(tasks["pending"].pk)
    assert item["title"] == "完成项目文档"
    assert item["project_id"] == str(project.pk)


@pytest.mark.parametrize("status", ["pending", "completed"])
def test_tasks_filter_by_status(auth_client, project, tasks, status):
    body = auth_client.get(f"/api/projects/{project.pk}/tasks?status={status}").json()

    assert body["total"] == 1
    assert body["items"][0]["id"] == str(tasks[status].pk)


@pytest.mark.parametrize("status", ["done", "PENDING", "1"])
def test_tasks_refuse_an_unknown_status(auth_client, project, status):
    response = auth_client.get(f"/api/projects/{project.pk}/tasks?status={status}")

    assert response.status_code == 422
    assert response.json() == {"detail": "status必须是 pending 或 completed"}
