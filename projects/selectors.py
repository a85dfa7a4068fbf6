from django.db.models import QuerySet

from accounts.models import User
from csa.errors import ForbiddenError, NotFoundError
from csa.ids import uuid_or_none
from csa.storage import FILE_NOT_FOUND
from projects.models import Project, ProjectFile, ProjectLink, ProjectTask
from projects.permissions import project_is_accessible_by

PROJECT_NOT_FOUND = "项目不存在"
PROJECT_ACCESS_DENIED = "无权访问此项目"
FILE_ACCESS_DENIED = "无权访问此文件"


def project_list_for_owner(*, user: User) -> QuerySet[Project]:
    """The user's own projects, newest first; an admin sees only theirs here too."""
    return Project.objects.filter(owner=user).select_related("owner").order_by("-created_at", "-id")


def project_get(*, user: User, project_id: str) -> Project:
    pk = uuid_or_none(project_id)
    project = None if pk is None else Project.objects.select_related("owner").filter(pk=pk).first()
    if project is None:
        raise NotFoundError(PROJECT_NOT_FOUND)
    if not project_is_accessible_by(project, user):
        raise ForbiddenError(PROJECT_ACCESS_DENIED)
    return project


def project_file_list(
    *, project: Project, filename: str | None = None, tag: str | None = None
) -> QuerySet[ProjectFile]:
    """Files of a project the caller may read: `filename` matches a part of the name in any
    letter case, `tag` the whole tag."""
    files = ProjectFile.objects.filter(project=project)
    if filename:
        files = files.filter(filename__icontains=filename)
    if tag:
        files = files.filter(tag=tag)
    return files.order_by("-created_at", "-id")


def project_link_list(*, project: Project) -> QuerySet[ProjectLink]:
    return ProjectLink.objects.filter(project=project).order_by("-created_at", "-id")


def project_task_list(*, project: Project, status: str | None = None) -> QuerySet[ProjectTask]:
    tasks = ProjectTask.objects.filter(project=project)
    if status:
        tasks = tasks.filter(status=status)
    return tasks.order_by("-created_at", "-id")


def project_file_get(*, user: User, file_id: str) -> ProjectFile:
    """A file the user may download: 404 when there is none, 403 when it is someone else's."""
    project_file = project_file_find(file_id=file_id)
    if not project_is_accessible_by(project_file.project, user):
        raise ForbiddenError(FILE_ACCESS_DENIED)
    return project_file


def project_file_find(*, file_id: str) -> ProjectFile:
    pk = uuid_or_none(file_id)
    project_file = (
        None if pk is None else ProjectFile.objects.select_related("project").filter(pk=pk).first()
    )
    if project_file is None:
        raise NotFoundError(FILE_NOT_FOUND)
    return project_file
