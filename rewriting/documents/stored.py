"""Documents in storage: the upload as it came and the rewritten copy. Rows keep the keys; a
download URL is made when the owner asks, presigned for object storage or signed for the app's
own link, and valid FILE_DOWNLOAD_URL_EXPIRES_SECONDS either way."""

from pathlib import PurePath

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from csa.storage import presigned_download_url, uses_object_storage

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LINK_SALT = "rewriting.document"


def document_file_save(*, owner_uuid: object, order_id: str, kind: str, data: bytes) -> str:
    """Store `data` as the document's `kind` ("input" | "output"); its key."""
    return default_storage.save(
        f"rewriting/documents/{owner_uuid}/{order_id}/{kind}.docx", ContentFile(data)
    )


def document_file_open(key: str) -> File:
    return default_storage.open(key, "rb")


def document_file_read(key: str) -> bytes:
    with document_file_open(key) as stored:
        return stored.read()


def document_file_delete(key: str) -> None:
    default_storage.delete(key)


def rewritten_name(file_name: str) -> str:
    """What the rewritten copy of `论文.docx` is called when downloaded: `论文_改写.docx`."""
    return f"{PurePath(file_name).stem or '文档'}_改写.docx"


def document_download_url(*, key: str, name: str, request) -> str:
    """A URL that downloads the stored document as `name`; without a request, a local link is
    a path on this site (the console's)."""
    if uses_object_storage():
        return presigned_download_url(key=key, filename=name, content_type=CONTENT_TYPE)
    token = signing.dumps({"key": key, "name": name}, salt=LINK_SALT, compress=True)
    link = reverse("rewriting-document-download", args=[token])
    return request.build_absolute_uri(link) if request is not None else link


def document_link_target(token: str) -> tuple[str, str] | None:
    """The key and download name a local link names, or None if it was altered or expired."""
    try:
        target = signing.loads(
            token, salt=LINK_SALT, max_age=settings.FILE_DOWNLOAD_URL_EXPIRES_SECONDS
        )
    except signing.BadSignature:
        return None
    if not isinstance(target, dict) or not all(
        isinstance(target.get(field), str) for field in ("key", "name")
    ):
        return None
    return target["key"], target["name"]
