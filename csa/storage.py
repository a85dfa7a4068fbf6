"""Which kind of storage holds files: object storage (S3 API) or the local disk."""

from django.core.files.storage import default_storage
from storages.backends.s3 import S3Storage


def uses_object_storage() -> bool:
    return isinstance(default_storage, S3Storage)
