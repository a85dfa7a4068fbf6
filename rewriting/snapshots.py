"""Snapshots of a task's text in storage: what the customer sent and what the vendor returned.

They are a record for support staff and the customer, never part of the answer itself, so a
failed upload is logged and nothing more. Rows keep the storage key; a URL is made when asked,
presigned for object storage or signed for the app's own link, valid for an hour either way.
"""

import functools
import logging
import secrets

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import get_script_prefix, get_urlconf, reverse

from csa.storage import uses_object_storage
from rewriting.models import RewritingTask

logger = logging.getLogger(__name__)

SNAPSHOT_LINK_SALT = "rewriting.snapshot"
CONTENT_TYPE = "text/plain; charset=utf-8"


def snapshot_save(*, task: RewritingTask, kind: str, text: str) -> str:
    """Store `text` as the task's `kind` ("input" | "output") snapshot; its key, or "" if the
    storage failed."""
    key = f"rewriting/{task.owner.uuid}/{task.pk}-{secrets.token_hex(8)}/{kind}.txt"
    try:
        return default_storage.save(key, ContentFile(text.encode()))
    except Exception:
        logger.exception("Storing the %s snapshot of rewriting task %s failed", kind, task.pk)
        return ""


def snapshot_url(key: str, *, request) -> str | None:
    if not key:
        return None
    if uses_object_storage():
        return default_storage.url(
            key,
            parameters={"ResponseContentType": CONTENT_TYPE},
            expire=settings.FILE_DOWNLOAD_URL_EXPIRES_SECONDS,
        )
    token = signing.dumps(key, salt=SNAPSHOT_LINK_SALT)  # URL-safe, unlike the key itself
    link = _link_prefix(get_script_prefix(), get_urlconf()) + token
    return request.build_absolute_uri(link) if request is not None else link


@functools.cache
def _link_prefix(script_prefix: str, urlconf: str | None) -> str:
    """The links' path up to the token. reverse() costs more than the signing, and a page of
    the ledger makes forty links; the path changes only with the prefix or the URL conf."""
    return reverse("rewriting-snapshot", args=["-"]).removesuffix("-")


def snapshot_link_key(token: str) -> str | None:
    """The key a local snapshot link names, or None if it was altered or has expired."""
    try:
        key = signing.loads(
            token, salt=SNAPSHOT_LINK_SALT, max_age=settings.FILE_DOWNLOAD_URL_EXPIRES_SECONDS
        )
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) else None


def snapshot_open(key: str):
    return default_storage.open(key, "rb")
