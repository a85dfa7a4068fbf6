"""Where project files live and how a customer reaches them.

With a bucket configured, files sit in object storage and a download is a presigned GET straight
from it. Without one, files sit on the local disk and the app serves them through a link signed
with Django's signing, so in both cases the URL alone grants a download for an hour.
"""

import logging
import mimetypes
import re
import secrets
import unicodedata
from pathlib import PurePosixPath

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.http import content_disposition_header

from csa.errors import NotFoundError, ServiceUnavailableError
from csa.storage import uses_object_storage
from projects.selectors import FILE_NOT_FOUND

logger = logging.getLogger(__name__)

DOWNLOAD_LINK_SALT = "projects.file-download"
# Bytes, not characters: a path segment on most file systems holds at most 255 bytes, and a
# Chinese character takes three.
MAX_KEY_NAME_BYTES = 180
DEFAULT_CONTENT_TYPE = "application/octet-stream"
STORAGE_UNAVAILABLE = "文件存储暂不可用，请稍后再试"


def storage_key_name(filename: str) -> str:
    """The file's name as the last segment of a key: no separators or control characters."""
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name:
        return "file"
    if len(name.encode()) > MAX_KEY_NAME_BYTES:
        suffix = PurePosixPath(name).suffix[:16]
        stem = name[: len(name) - len(suffix)]
        while len((stem + suffix).encode()) > MAX_KEY_NAME_BYTES:
            stem = stem[:-1]
        name = stem + suffix
    return name


def project_file_key(*, project_id: object, filename: str) -> str:
    """`projects/<project id>/<random>/<filename>`: unguessable, and never overwrites another."""
    return f"projects/{project_id}/{secrets.token_hex(8)}/{storage_key_name(filename)}"


def content_type_of(*, declared: str | None, filename: str) -> str:
    return declared or mimetypes.guess_type(filename)[0] or DEFAULT_CONTENT_TYPE


def stored_file_save(*, key: str, content: File) -> str:
    """Store `content` under `key`; returns the key the storage actually used."""
    return default_storage.save(key, content)


def stored_file_delete(key: str) -> None:
    """Remove a stored object; a failure is logged, since the record is already gone."""
    try:
        default_storage.delete(key)
    except Exception:
        logger.exception("Deleting stored file %s failed", key)


def stored_file_open(key: str) -> File:
    return default_storage.open(key, "rb")


def _stored_file_check(key: str) -> None:
    """Refuse a link to an object the storage has lost (404) or cannot be asked about (503)."""
    try:
        exists = default_storage.exists(key)
    except (BotoCoreError, ClientError, OSError) as exc:
        logger.error("File storage unavailable while looking for %s: %s", key, exc)
        raise ServiceUnavailableError(STORAGE_UNAVAILABLE) from exc
    if not exists:
        logger.error("Stored file %s is missing", key)
        raise NotFoundError(FILE_NOT_FOUND)


def download_url(*, key: str, file_id: object, filename: str, content_type: str, request) -> str:
    """A URL that downloads the file under its own name for the next hour."""
    _stored_file_check(key)
    if uses_object_storage():
        return default_storage.url(
            key,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
            },
            expire=settings.FILE_DOWNLOAD_URL_EXPIRES_SECONDS,
        )
    token = signing.TimestampSigner(salt=DOWNLOAD_LINK_SALT).sign(str(file_id))
    return request.build_absolute_uri(reverse("project-file-download", args=[token]))


def download_link_file_id(token: str) -> str | None:
    """The file id a local download link names, or None if it was altered or has expired."""
    try:
        return signing.TimestampSigner(salt=DOWNLOAD_LINK_SALT).unsign(
            token, max_age=settings.FILE_DOWNLOAD_URL_EXPIRES_SECONDS
        )
    except signing.BadSignature:
        return None
