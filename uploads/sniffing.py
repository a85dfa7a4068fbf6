"""What an upload is, judged from its bytes, never from what the client says it is.

Binary formats are known by their signatures, and containers by what they contain: a zip is a
Word, Excel or PowerPoint document when it has that document's parts, an OLE compound file when it
has that program's stream. Anything else must be text; only there does the name decide, since
content cannot tell a CSV from plain text. The file is read by seeking, a bounded prefix at a
time, so an upload on disk is never read into memory whole.
"""

import codecs
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import olefile
from django.core.files import File

from uploads.models import FileKind

MIME_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.DOC: "application/msword",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XLS: "application/vnd.ms-excel",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.PPT: "application/vnd.ms-powerpoint",
    FileKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    FileKind.JPG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.GIF: "image/gif",
    FileKind.WEBP: "image/webp",
    FileKind.ZIP: "application/zip",
    FileKind.RAR: "application/vnd.rar",
    FileKind.SEVEN_Z: "application/x-7z-compressed",
    FileKind.TXT: "text/plain",
    FileKind.CSV: "text/csv",
    FileKind.JSON: "application/json",
}
SIGNATURES = (
    (b"%PDF-", FileKind.PDF),
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG),
    (b"\xff\xd8\xff", FileKind.JPG),
    (b"GIF87a", FileKind.GIF),
    (b"GIF89a", FileKind.GIF),
    (b"Rar!\x1a\x07\x00", FileKind.RAR),  # RAR 1.5 to 4
    (b"Rar!\x1a\x07\x01\x00", FileKind.RAR),  # RAR 5
    (b"7z\xbc\xaf\x27\x1c", FileKind.SEVEN_Z),
)
# A local file header, or the end record of an empty archive. Not a zip found anywhere in the
# file, as zipfile.is_zipfile would: a program with an archive appended is no archive.
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_PARTS = (
    ("word/document.xml", FileKind.DOCX),
    ("xl/workbook.xml", FileKind.XLSX),
    ("ppt/presentation.xml", FileKind.PPTX),
)
OLE_STREAMS = (
    ("WordDocument", FileKind.DOC),
    ("Workbook", FileKind.XLS),
    ("Book", FileKind.XLS),  # Excel 5 and 95
    ("PowerPoint Document", FileKind.PPT),
)
TEXT_KINDS = {".csv": FileKind.CSV, ".json": FileKind.JSON}
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
TEXT_PREFIX_BYTES = 64 * 1024
# Control characters no text file has (tab, line breaks, form feed and escape it may).
NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
# A JSON file up to this size is parsed whole; a larger one only has to be text that opens an
# object or an array, since parsing it would cost many times its size in memory.
JSON_PARSE_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    kind: FileKind
    mime: str


def file_type_of(file: File, *, filename: str) -> FileType | None:
    """The type of `file`'s content, or None if it is none we take; `filename` only tells the
    text types apart. The file is left at its start."""
    try:
        kind = _kind_of(file, filename=filename)
    finally:
        file.seek(0)
    return None if kind is None else FileType(kind=kind, mime=MIME_TYPES[kind])


def _kind_of(file: File, *, filename: str) -> FileKind | None:
    head = _prefix(file, 16)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return FileKind.WEBP
    if head.startswith(ZIP_SIGNATURES):
        return _zip_kind(file)
    if head.startswith(OLE_SIGNATURE):
        return _ole_kind(file)
    return _text_kind(file, filename=filename)


def _prefix(file: File, size: int) -> bytes:
    file.seek(0)
    return file.read(size)


def _zip_kind(file: File) -> FileKind | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = {name.lower() for name in archive.namelist()}
    except Exception:  # a broken archive raises whatever zipfile trips on
        return None
    if "[content_types].xml" in names:
        for part, kind in OOXML_PARTS:
            if part in names:
                return kind
    return FileKind.ZIP


def _ole_kind(file: File) -> FileKind | None:
    try:
        container = olefile.OleFileIO(file)
    except Exception:  # as for zip: a broken container raises many kinds
        return None
    try:
        return next((kind for stream, kind in OLE_STREAMS if container.exists(stream)), None)
    finally:
        container.close()


def _text_kind(file: File, *, filename: str) -> FileKind | None:
    kind = TEXT_KINDS.get(PurePosixPath(filename).suffix.lower(), FileKind.TXT)
    prefix = _prefix(file, TEXT_PREFIX_BYTES)
    text = _decoded(prefix, whole=len(prefix) >= file.size)
    if text is None or NOT_TEXT.search(text):
        return None
    if kind == FileKind.JSON and not _is_json(file, opening=text):
        return None
    return kind


def _decoded(data: bytes, *, whole: bool) -> str | None:
    """`data` as text, or None; a prefix (`whole` false) may end inside a character."""
    for encoding in TEXT_ENCODINGS:
        try:
            return codecs.getincrementaldecoder(encoding)().decode(data, final=whole)
        except UnicodeDecodeError:
            continue
    return None


def _is_json(file: File, *, opening: str) -> bool:
    if file.size > JSON_PARSE_MAX_BYTES:
        return opening.lstrip()[:1] in ("{", "[")
    text = _decoded(_prefix(file, file.size), whole=True)
    try:
        json.loads(text or "")
    except (ValueError, RecursionError):
        return False
    return True
