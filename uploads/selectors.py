from django.db.models import QuerySet

from accounts.models import User
from csa.errors import NotFoundError
from csa.ids import uuid_or_none
from csa.storage import FILE_NOT_FOUND, SignedLink, download_url
from uploads.models import UploadedFile

DOWNLOAD_LINK = SignedLink(route="uploaded-file-download", salt="uploads.file-download")


def uploaded_file_list(*, user: User) -> QuerySet[UploadedFile]:
    return UploadedFile.objects.filter(owner=user).order_by("-created_at", "-id")


def uploaded_file_get(*, user: User, file_id: str) -> UploadedFile:
    """One of the user's own files: anyone else's is as missing as one that never was."""
    pk = uuid_or_none(file_id)
    uploaded_file = None if pk is None else uploaded_file_list(user=user).filter(pk=pk).first()
    if uploaded_file is None:
        raise NotFoundError(FILE_NOT_FOUND)
    return uploaded_file


def uploaded_file_find(*, file_id: str) -> UploadedFile:
    """The file a signed download link names: the signature was the credential."""
    uploaded_file = UploadedFile.objects.filter(pk=uuid_or_none(file_id)).first()
    if uploaded_file is None:
        raise NotFoundError(FILE_NOT_FOUND)
    return uploaded_file


def uploaded_file_download_url(*, uploaded_file: UploadedFile, request) -> str:
    return download_url(
        key=uploaded_file.oss_key,
        file_id=uploaded_file.pk,
        filename=uploaded_file.filename,
        content_type=uploaded_file.content_type,
        link=DOWNLOAD_LINK,
        request=request,
    )
