"""Uploads: only a real, unencrypted, macro-free .docx of a sensible size is opened."""

import io
import zipfile

import docx
import pytest
from docx.oxml import parse_xml

from rewriting.documents import DocumentRefused, document_bytes, document_opened
from rewriting.documents.files import ENCRYPTED, MACROS, NOT_DOCX, TOO_BIG_UNPACKED
from tests.rewriting.documents.builders import W, rezipped, thesis_bytes

DOCM_TYPES = (
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)


def refusal(data: bytes) -> str:
    with pytest.raises(DocumentRefused) as refused:
        document_opened(data)
    assert refused.value.status_code == 400
    return refused.value.message


def test_a_thesis_opens():
    assert document_opened(thesis_bytes()).paragraphs


def test_a_file_over_the_cap_is_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024

    assert refusal(b"x" * (1024 * 1024 + 1)) == "文件过大，最大 1 MB"


def test_an_encrypted_document_or_an_old_doc_is_refused():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000

    assert refusal(ole) == ENCRYPTED


@pytest.mark.parametrize(
    "data",
    [
        b"plain text, not a document",
        b"PK\x03\x04 a broken zip",
        rezipped(thesis_bytes(), drop="word/document.xml"),
        rezipped(thesis_bytes(), replaced={"word/document.xml": b"<w:document>unclosed"}),
    ],
    ids=["text", "broken zip", "no document part", "broken xml"],
)
def test_what_is_no_word_document_is_refused(data):
    assert refusal(data) == NOT_DOCX


def test_a_table_python_docx_cannot_walk_is_refused():
    document = docx.Document()
    cell = document.add_table(rows=1, cols=2).cell(0, 0)
    cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:vMerge xmlns:w="{W}" w:val="continue"/>'))

    assert refusal(document_bytes(document)) == NOT_DOCX


def test_a_zip_of_something_else_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")

    assert refusal(out.getvalue()) == NOT_DOCX


@pytest.mark.parametrize(
    "change",
    [
        {"replaced": {"word/vbaProject.bin": b"\0" * 64}},
        {"replaced": {"[Content_Types].xml": DOCM_TYPES}},
    ],
    ids=["vba project", "macro-enabled type"],
)
def test_a_document_with_macros_is_refused(change):
    assert refusal(rezipped(thesis_bytes(), **change)) == MACROS


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = rezipped(thesis_bytes(), replaced={"word/media/padding.bin": b"\0" * (20 * 1024 * 1024)})

    assert len(bomb) < 1024 * 1024
    assert refusal(bomb) == TOO_BIG_UNPACKED


def test_too_much_unpacked_altogether_is_refused(settings):
    settings.DOCUMENT_MAX_UNPACKED_BYTES = 10_000

    assert refusal(thesis_bytes()) == TOO_BIG_UNPACKED
