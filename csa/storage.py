"""Where customers' files live and how a customer reaches them.

With a bucket configured, files sit in object storage and a download is a presigned GET straight
from it. Without one, files sit on the local disk and the app serves them through a link signed
with Django's signing, so in both cases the URL alone grants a download for an hour.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

from csa.errors import NotFoundError, ServiceUnavailableError

logger = logging.getLogger(__name__)

# Bytes, not characters: a path segment on most file systems holds at most 255 bytes, and a
# Chinese character takes three.
MAX_KEY_NAME_BYTES = 180
FILE_NOT_FOUND = "文件不存在"
STORAGE_UNAVAILABLE = "文件存储暂不可用，请稍后再试"
STORAGE_ERRORS = (BotoCoreError, ClientError, OSError)


def uses_object_storage() -> bool:
    return isinstance(default_storage, S3Storage)


@dataclass(frozen=True)
class SignedLink:
    """A local-storage download link: the route that serves it, and the salt that keeps one
    kind of link from opening another kind's files."""

    route: str
    salt: str

    def url(self, file_id: object, *, request) -> str:
        """The link; without a request, a path on this site (the console's)."""
        token = signing.TimestampSigner(salt=self.salt).sign(str(file_id))
        link = reverse(self.route, args=[token])
        return request.build_absolute_uri(link) if request is not None else link

    def file_id(self, token: str) -> str | None:
        """The file id the link names, or None if it was altered or has expired."""
        try:
            return signing.TimestampSigner(salt=self.salt).unsign(
                token, max_age=settings.FILE_DOWNLOAD_URL_EXPIRES_SECONDS
            )
        except signing.BadSignature:
            return None


def size_text(size: int) -> str:
    """A size limit as a customer reads it: `100MB`, `512KB`, or bytes when not round."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size}字节"


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


def stored_file_save(*, key: str, content: File) -> str:
    """Store `content` under `key`; returns the key the storage actually used."""
    try:
        return default_storage.save(key, content)
    except STORAGE_ERRORS as exc:
        logger.error("File storage unavailable while storing %s: %s", key, exc)
        raise ServiceUnavailableError(STORAGE_UNAVAILABLE) from exc


def stored_file_delete(key: str) -> None:
    """Remove a stored object; a failure is logged, since the record is already gone."""
    try:
        default_storage.delete(key)
    except Exception:
        logger.exception("Deleting stored file %s failed", key)


def stored_file_open(key: str) -> File:
    return default_storage.open(key, "rb")


def stored_file_response(*, key: str, filename: str, content_type: str) -> FileResponse:
    """The stored object as a download under `filename`; 404 when the storage has lost it."""
    try:
        content = stored_file_open(key)
    except FileNotFoundError as exc:
        raise NotFoundError(FILE_NOT_FOUND) from exc
    return FileResponse(content, as_attachment=True, filename=filename, content_type=content_type)


def _stored_file_check(key: str) -> None:
    """Refuse a link to an object the storage has lost (404) or cannot be asked about (503)."""
    try:
        exists = default_storage.exists(key)
    except STORAGE_ERRORS as exc:
        logger.error("File storage unavailable while looking for %s: %s", key, exc)
        raise ServiceUnavailableError(STORAGE_UNAVAILABLE) from exc
    if not exists:
        logger.error("Stored file %s is missing", key)
        raise NotFoundError(FILE_NOT_FOUND)


def download_url(
    *, key: str, file_id: object, filename: str, content_type: str, link: SignedLink, request
) -> str:
    """A URL that downloads the file under its own name for the next hour: presigned by the
    object storage, or the app's own `link` for a file on the local disk."""
    _stored_file_check(key)
    return stored_file_url(
        key=key,
        file_id=file_id,
        filename=filename,
        content_type=content_type,
        link=link,
        request=request,
    )


def stored_file_url(
    *, key: str, file_id: object, filename: str, content_type: str, link: SignedLink, request
) -> str:
    """download_url without asking the storage first whether it still has the object."""
    if uses_object_storage():
        return presigned_download_url(key=key, filename=filename, content_type=content_type)
    return link.url(file_id, request=request)


def presigned_download_url(*, key: str, filename: str, content_type: str) -> str:
    """Object storage's GET of `key`, valid an hour, saved by the browser as `filename`."""
    return default_storage.url(
        key,
        parameters={
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type,
        },
        expire=settings.FILE_DOWNLOAD_URL_EXPIRES_SECONDS,
    )
