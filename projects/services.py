from collections.abc import Mapping
from typing import TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import normalize_newlines

from accounts.models import User
from csa import storage as stored_files
from csa.errors import ApplicationError, NotFoundError
from projects import storage
from projects.models import Project, ProjectFile, ProjectLink, ProjectTask, TaskStatus

EDITABLE_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Project: ("name", "description", "overview_markdown"),
    ProjectFile: ("filename", "tag"),
    ProjectLink: ("title", "url", "description"),
    ProjectTask: ("title", "description", "status"),
}
NULL_WHEN_BLANK = ("description", "tag")
RECORD_GONE = "记录不存在"

Record = TypeVar("Record", Project, ProjectFile, ProjectLink, ProjectTask)


@transaction.atomic
def project_create(
    *, owner: User, name: str, description: str | None = None, overview_markdown: str = ""
) -> Project:
    return Project.objects.create(
        owner=owner,
        name=name,
        description=_stored_form("description", description),
        overview_markdown=_stored_form("overview_markdown", overview_markdown),
    )


@transaction.atomic
def project_update(*, project: Project, changes: Mapping[str, object]) -> Project:
    return _record_update(project, changes)


@transaction.atomic
def project_delete(*, project: Project) -> None:
    """The project with its files, links and tasks; stored objects go once the delete commits."""
    keys = list(ProjectFile.objects.filter(project=project).values_list("oss_key", flat=True))
    project.delete()
    transaction.on_commit(lambda: [stored_files.stored_file_delete(key) for key in keys])


def project_file_upload(
    *, project: Project, upload: UploadedFile, tag: str | None = None, filename: str | None = None
) -> ProjectFile:
    """Store the upload under a fresh key and record it; size and type come from the upload.

    The object is written before the row: if the row cannot be written, the object is removed
    again, so a record never points at nothing.
    """
    filename = (filename or upload.name or "").strip()[:255] or "file"
    key = stored_files.stored_file_save(
        key=storage.project_file_key(project_id=project.pk, filename=filename), content=upload
    )
    try:
        with transaction.atomic():
            return ProjectFile.objects.create(
                project=project,
                filename=filename,
                file_size=upload.size,
                content_type=storage.content_type_of(
                    declared=getattr(upload, "content_type", None), filename=filename
                )[:255],
                tag=tag or None,
                oss_key=key,
            )
    except Exception:
        stored_files.stored_file_delete(key)
        raise


@transaction.atomic
def project_link_create(
    *, project: Project, title: str, url: str, description: str | None = None
) -> ProjectLink:
    return ProjectLink.objects.create(
        project=project, title=title, url=url, description=_stored_form("description", description)
    )


@transaction.atomic
def project_task_create(
    *,
    project: Project,
    title: str,
    description: str | None = None,
    status: str = TaskStatus.PENDING,
) -> ProjectTask:
    completed_at = timezone.now() if status == TaskStatus.COMPLETED else None
    return ProjectTask.objects.create(
        project=project,
        title=title,
        description=_stored_form("description", description),
        status=status,
        completed_at=completed_at,
    )


@transaction.atomic
def project_item_update(*, item: Record, changes: Mapping[str, object]) -> Record:
    """Edit a project's file record, link or task; a task's status keeps its completion time."""
    return _record_update(item, changes)


@transaction.atomic
def project_task_complete(*, task: ProjectTask) -> ProjectTask:
    return _record_update(task, {"status": TaskStatus.COMPLETED})


@transaction.atomic
def project_item_delete(*, item: ProjectFile | ProjectLink | ProjectTask) -> None:
    """Remove a file record, link or task; a file's stored object goes once the delete commits."""
    item.delete()
    if isinstance(item, ProjectFile):
        key = item.oss_key
        transaction.on_commit(lambda: stored_files.stored_file_delete(key))


def _record_update(record: Record, changes: Mapping[str, object]) -> Record:
    editable = EDITABLE_FIELDS[type(record)]
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise ApplicationError(f"不能修改{record._meta.verbose_name}的字段：{', '.join(unknown)}")
    changes = {name: _stored_form(name, value) for name, value in changes.items()}
    record = _locked(record)
    changed = [name for name, value in changes.items() if getattr(record, name) != value]
    if not changed:
        return record
    for name in changed:
        setattr(record, name, changes[name])
    if "status" in changed:
        record.completed_at = timezone.now() if record.status == TaskStatus.COMPLETED else None
        changed.append("completed_at")
    record.updated_at = timezone.now()
    record.save(update_fields=[*changed, "updated_at"])
    return record


def _stored_form(name: str, value: object) -> object:
    """Browsers send a textarea's line breaks as CRLF: kept as they were, text is unchanged."""
    if isinstance(value, str):
        value = normalize_newlines(value)
    return (value or None) if name in NULL_WHEN_BLANK else value


def _locked(record: Record) -> Record:
    locked = type(record).objects.select_for_update().filter(pk=record.pk).first()
    if locked is None:
        raise NotFoundError(RECORD_GONE)
    return locked
