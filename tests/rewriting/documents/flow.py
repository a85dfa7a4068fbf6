"""The document routes as a client calls them, and the worker's rounds as its beat runs them."""

import io

import docx
from django.core.files.uploadedfile import SimpleUploadedFile

from rewriting.documents.body import paragraphs_in
from rewriting.documents.stored import CONTENT_TYPE
from rewriting.models import DocumentPiece, RewritingDocument
from rewriting.tasks import advance_rewriting_documents
from tests.rewriting.fake_vendors import FakeTask
from tests.rewriting_accounts.helpers import bearer, post

DOCX = "/rewrite/rewrite_docx"
STATE = "/rewrite/rewrite_state"
PARAGRAPH = "/rewrite/rewrite_paragraph"
WORDS_COUNT = "/rewrite/words_count"
UPLOADED = "文档已上传，等待处理"
MARK = "【改】"


def upload(client, token: str, data: bytes, *, name: str = "论文.docx", **fields):
    """POST /rewrite/rewrite_docx as the client sends it: multipart, `file` and `rewrite_type`."""
    body = {
        "file": SimpleUploadedFile(name, data, content_type=CONTENT_TYPE),
        "rewrite_type": "0",
        **fields,
    }
    return client.post(DOCX, body, **bearer(token))


def state(client, token: str, order_id: str):
    return post(client, STATE, {"order_id": order_id}, **bearer(token))


def worker_round() -> None:
    """One beat of the document job, as if its interval (and the vendors') had passed."""
    RewritingDocument.objects.update(advanced_at=None)
    DocumentPiece.objects.update(checked_at=None)
    advance_rewriting_documents()


def rewritten(text: str) -> str:
    """What the fake vendors answer: every line marked, the lines kept."""
    return "\n".join(f"{MARK}{line}" for line in text.split("\n"))


def finishing(task: FakeTask) -> None:
    """A vendor's `on_task` that finishes each task as soon as it is made."""
    task.status, task.progress, task.result = "completed", 100, rewritten(task.text)


def failing(task: FakeTask) -> None:
    task.status = "failed"


def downloaded(client, url: str) -> docx.document.Document:
    response = client.get(url)
    assert response.status_code == 200, response
    assert response["Content-Type"] == CONTENT_TYPE
    return docx.Document(io.BytesIO(b"".join(response.streaming_content)))


def texts_of(document: docx.document.Document) -> list[str]:
    """Every paragraph's text, table cells' included, in reading order."""
    return [paragraph.text for paragraph in paragraphs_in(document)]
