"""Project files' keys, types and download links; csa.storage keeps and serves them."""

import mimetypes
import secrets

from csa.storage import SignedLink, storage_key_name

DOWNLOAD_LINK_SALT = "projects.file-download"
DOWNLOAD_LINK = SignedLink(route="project-file-download", salt=DOWNLOAD_LINK_SALT)
DEFAULT_CONTENT_TYPE = "application/octet-stream"


def project_file_key(*, project_id: object, filename: str) -> str:
    """`projects/<project id>/<random>/<filename>`: unguessable, and never overwrites another."""
    return f"projects/{project_id}/{secrets.token_hex(8)}/{storage_key_name(filename)}"


def content_type_of(*, declared: str | None, filename: str) -> str:
    return declared or mimetypes.guess_type(filename)[0] or DEFAULT_CONTENT_TYPE
