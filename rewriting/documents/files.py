"""A customer's upload, taken as a Word document only once it is one we can safely open.

Refused, each with its own message and before anything is charged: a file over the size cap, an
encrypted document (Word keeps those in an OLE container, as it does the old .doc), anything that
is no zip or no Word document, a zip that unpacks to far more than it weighs (a zip bomb), and a
document that carries macros.
"""

import io
import zipfile

import docx
from django.conf import settings
from docx.document import Document

from csa.errors import ApplicationError
from rewriting.documents.body import body_of

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ENTRIES = 5000
# A part that unpacks to over this many times its packed size is a bomb, not a document (text XML
# packs to about a tenth; a page of repeated characters to a thousandth, and is not a thesis).
MAX_RATIO = 200
MACRO_MARKERS = ("vbaproject.bin", "vbadata.xml")

NOT_DOCX = "文件不是有效的 .docx 文档"
ENCRYPTED = "文档已加密或为旧版 .doc 格式，请另存为未加密的 .docx 后上传"
MACROS = "文档包含宏，请另存为不含宏的 .docx 后上传"
TOO_BIG_UNPACKED = "文档解压后过大，无法处理"


class DocumentRefused(ApplicationError):
    """An upload that is not a document we take: 400 with what to do about it."""


def document_opened(data: bytes) -> Document:
    """`data` as a Word document; DocumentRefused if it is not one we can safely open."""
    document_size_check(len(data))
    if data.startswith(OLE_SIGNATURE):
        raise DocumentRefused(ENCRYPTED)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise DocumentRefused(NOT_DOCX) from None
    with archive:
        _check_archive(archive)
    try:
        document = docx.Document(io.BytesIO(data))
        body_of(document)  # a table python-docx cannot walk is refused here, not halfway
    except Exception:  # python-docx and lxml raise many kinds on a broken package
        raise DocumentRefused(NOT_DOCX) from None
    return document


def document_size_check(size: int) -> None:
    """Refuse an upload over DOCUMENT_MAX_BYTES; the view asks before reading the file."""
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise DocumentRefused(f"文件过大，最大 {limit // (1024 * 1024)} MB")


def _check_archive(archive: zipfile.ZipFile) -> None:
    entries = archive.infolist()
    names = {entry.filename.lower(): entry.filename for entry in entries}
    if "word/document.xml" not in names or "[content_types].xml" not in names:
        raise DocumentRefused(NOT_DOCX)
    if len(entries) > MAX_ENTRIES:
        raise DocumentRefused(TOO_BIG_UNPACKED)
    if any(name.rsplit("/", 1)[-1] in MACRO_MARKERS for name in names):
        raise DocumentRefused(MACROS)
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > settings.DOCUMENT_MAX_UNPACKED_BYTES or any(
        entry.file_size > MAX_RATIO * max(entry.compress_size, 1024) for entry in entries
    ):
        raise DocumentRefused(TOO_BIG_UNPACKED)
    if b"macroenabled" in archive.read(names["[content_types].xml"]).lower():
        raise DocumentRefused(MACROS)


def document_bytes(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
