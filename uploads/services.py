import secrets

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile as Upload
from django.db import transaction

from accounts.models import User
from csa.errors import ApplicationError
from csa.storage import size_text, storage_key_name, stored_file_delete, stored_file_save
from uploads.models import FileKind, UploadedFile
from uploads.sniffing import file_type_of

UNSUPPORTED_TYPE = "不支持的文件类型"
EMPTY_FILE = "文件不能为空"
# What a multipart body carries besides the file itself: boundaries, part headers, the tag.
# A body longer than the limit by more than this is refused before it is read.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024


def upload_limit_text() -> str:
    """`100MB`: UPLOAD_MAX_BYTES as a customer reads it."""
    return size_text(settings.UPLOAD_MAX_BYTES)


def upload_size_check(size: int) -> None:
    """413 for a file over UPLOAD_MAX_BYTES."""
    if size > settings.UPLOAD_MAX_BYTES:
        raise ApplicationError(f"文件大小不能超过{upload_limit_text()}", status_code=413)


def upload_body_size_check(content_length: str | None) -> None:
    """413 for a request body that cannot hold a file within the limit, known from its length
    before anything of it is read (Django would write it to a temporary file first)."""
    length = int(content_length) if content_length and content_length.isdecimal() else 0
    upload_size_check(max(0, length - MULTIPART_OVERHEAD_BYTES))


def uploaded_file_key(*, owner: User, kind: FileKind) -> str:
    """`uploads/<owner>/<random>.<kind>`: nothing of what the customer sent, not even the name."""
    return f"uploads/{owner.uuid}/{secrets.token_hex(16)}.{kind}"


def uploaded_file_create(*, owner: User, upload: Upload, tag: str | None = None) -> UploadedFile:
    """Judge the upload by its content, store it, then record it.

    The object is written before the row: if the row cannot be written, the object is removed
    again, so a record never points at nothing.
    """
    upload_size_check(upload.size)
    if not upload.size:
        raise ApplicationError(EMPTY_FILE)
    filename = storage_key_name(upload.name or "")
    file_type = file_type_of(upload, filename=filename)
    if file_type is None:
        raise ApplicationError(UNSUPPORTED_TYPE)
    key = stored_file_save(key=uploaded_file_key(owner=owner, kind=file_type.kind), content=upload)
    try:
        with transaction.atomic():
            return UploadedFile.objects.create(
                owner=owner,
                filename=filename,
                file_size=upload.size,
                content_type=file_type.mime,
                kind=file_type.kind,
                tag=tag or None,
                oss_key=key,
            )
    except Exception:
        stored_file_delete(key)
        raise


@transaction.atomic
def uploaded_file_delete(*, uploaded_file: UploadedFile) -> None:
    """The record, and its stored object once the delete commits."""
    key = uploaded_file.oss_key
    uploaded_file.delete()
    transaction.on_commit(lambda: stored_file_delete(key))
