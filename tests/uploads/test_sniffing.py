"""Types judged from content: signatures, containers by their parts, text by decoding."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from tests.uploads import samples
from uploads.models import FileKind
from uploads.sniffing import JSON_PARSE_MAX_BYTES, TEXT_PREFIX_BYTES, file_type_of

KINDS = [
    ("a.pdf", samples.pdf(), FileKind.PDF, "application/pdf"),
    ("a.png", samples.png(), FileKind.PNG, "image/png"),
    ("a.jpg", samples.jpeg(), FileKind.JPG, "image/jpeg"),
    ("a.gif", samples.gif(), FileKind.GIF, "image/gif"),
    ("a.webp", samples.webp(), FileKind.WEBP, "image/webp"),
    ("a.zip", samples.zip_archive(), FileKind.ZIP, "application/zip"),
    ("a.rar", samples.rar4(), FileKind.RAR, "application/vnd.rar"),
    ("a.rar", samples.rar5(), FileKind.RAR, "application/vnd.rar"),
    ("a.7z", samples.seven_z(), FileKind.SEVEN_Z, "application/x-7z-compressed"),
    ("a.doc", samples.doc(), FileKind.DOC, "application/msword"),
    ("a.xls", samples.xls(), FileKind.XLS, "application/vnd.ms-excel"),
    ("a.xls", samples.ole("Book"), FileKind.XLS, "application/vnd.ms-excel"),
    ("a.ppt", samples.ppt(), FileKind.PPT, "application/vnd.ms-powerpoint"),
    (
        "a.docx",
        samples.docx(),
        FileKind.DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "a.xlsx",
        samples.xlsx(),
        FileKind.XLSX,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "a.pptx",
        samples.pptx(),
        FileKind.PPTX,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("a.txt", samples.text(), FileKind.TXT, "text/plain"),
    ("a.csv", samples.csv(), FileKind.CSV, "text/csv"),
    ("a.json", samples.json_document(), FileKind.JSON, "application/json"),
]


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def on_disk(name: str, content: bytes) -> TemporaryUploadedFile:
    """An upload as Django keeps one past FILE_UPLOAD_MAX_MEMORY_SIZE: a temporary file."""
    file = TemporaryUploadedFile(name, "application/octet-stream", len(content), None)
    file.write(content)
    file.seek(0)
    return file


def kind_of(name: str, content: bytes, *, make=upload) -> FileKind | None:
    file_type = file_type_of(make(name, content), filename=name)
    return None if file_type is None else file_type.kind


@pytest.mark.parametrize(("name", "content", "kind", "mime"), KINDS)
def test_every_type_is_known_by_its_content(name, content, kind, mime):
    file_type = file_type_of(upload(name, content), filename=name)

    assert (file_type.kind, file_type.mime) == (kind, mime)


@pytest.mark.parametrize(("name", "content", "kind", "mime"), KINDS)
def test_an_upload_on_disk_is_judged_alike_and_left_at_its_start(name, content, kind, mime):
    file = on_disk(name, content)

    assert file_type_of(file, filename=name).kind == kind
    assert file.tell() == 0
    assert not file.closed


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("报告.pdf", samples.png(), FileKind.PNG),
        ("image.txt", samples.png(), FileKind.PNG),
        ("表格.zip", samples.xlsx(), FileKind.XLSX),
        ("notes.pdf", samples.text(), FileKind.TXT),
        ("no-extension", samples.csv(), FileKind.TXT),
        ("data.CSV", samples.csv(), FileKind.CSV),
    ],
)
def test_the_name_does_not_decide_what_the_content_is(name, content, kind):
    assert kind_of(name, content) == kind


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.pdf", samples.exe()),
        ("setup.exe", samples.exe()),
        ("broken.zip", samples.zip_archive()[:-30]),
        ("broken.docx", samples.docx()[:200]),
        ("broken.doc", samples.doc()[:1000]),
        ("installer.msi", samples.ole("SummaryInformation")),
        ("bad.json", b'{"a": 1,'),
        ("empty.json", b"   "),
        ("null.txt", b"hello\x00world"),
        ("utf16.txt", "你好".encode("utf-16")),
        ("bmp.png", b"BM" + bytes(range(64))),
    ],
)
def test_anything_else_is_no_type_we_take(name, content):
    assert kind_of(name, content) is None


def test_a_program_with_an_archive_appended_is_not_an_archive():
    assert kind_of("setup.zip", samples.exe() + samples.zip_archive()) is None


@pytest.mark.parametrize(
    "content",
    [
        "中文文本\n".encode("gb18030"),
        "\ufeff带 BOM 的文本\n".encode(),
        b"tab\tand\x1b[1mescape\x0c\n",
    ],
)
def test_text_is_utf8_or_gb18030(content):
    assert kind_of("a.txt", content) == FileKind.TXT


def test_text_is_judged_by_its_start_even_where_a_character_is_cut():
    # The prefix ends in the middle of a three-byte character: it is still text.
    content = b"a" + "汉".encode() * (TEXT_PREFIX_BYTES // 3 + 10)

    assert kind_of("long.txt", content, make=on_disk) == FileKind.TXT


def test_a_large_json_is_judged_by_its_start_without_parsing():
    opening = b'[{"n": 1},'
    content = opening + b" " * (JSON_PARSE_MAX_BYTES - len(opening) + 1)

    assert kind_of("big.json", content, make=on_disk) == FileKind.JSON
    assert kind_of("big.json", b"x" + content, make=on_disk) is None


def test_json_nested_past_the_recursion_limit_is_refused_not_raised():
    assert kind_of("deep.json", b"[" * 100_000 + b"]" * 100_000) is None


def test_reading_does_not_close_a_stream_it_was_given():
    file = upload("a.doc", samples.doc())
    file_type_of(file, filename="a.doc")

    assert isinstance(file.file, io.BytesIO)
    assert file.read() == samples.doc()
