"""The staff console's documents: owner, size, characters, pieces, cost, status, the files,
and a retry of the failed pieces."""

import re
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from rewriting.models import DocumentStatus, PieceStatus, RewritingDocument
from rewriting.services import rewriting_document_upload
from tests.rewriting.documents import builders as b
from tests.rewriting.documents.flow import failing, finishing, worker_round
from tests.rewriting.helpers import funded_user

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:rewriting_rewritingdocument_changelist"


def document_of(vendor, *, outcome: str = "completed") -> RewritingDocument:
    """A thesis uploaded through the service and taken through the worker's rounds."""
    vendor.on_task = finishing if outcome == "completed" else failing
    upload = rewriting_document_upload(
        user=funded_user(10),
        data=b.thesis_bytes(),
        file_name="论文.docx",
        platform="zhiwang",
        task_type="reduce-plagiarism",
    )
    worker_round()
    worker_round()
    document = RewritingDocument.objects.get(pk=upload.document.pk)
    assert document.status == outcome
    return document


def listed(console, **query) -> str:
    response = console.get(reverse(CHANGELIST), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_each_documents_owner_size_characters_pieces_cost_and_status(
    console, reduceai
):
    document = document_of(reduceai)

    page = listed(console)

    for heading in ("订单号", "用户", "文件名", "大小", "计费字数", "已完成片段", "失败片段"):
        assert re.search(rf'<div class="text">(<a [^>]*>|<span>){heading}</', page), heading
    assert document.order_id in page and document.owner.email in page
    assert "已完成" in page and "论文.docx" in page


@pytest.mark.parametrize("query", [{}, {"status__exact": "failed"}])
def test_the_list_queries_do_not_grow_with_rows(
    console, reduceai, settings, django_assert_max_num_queries, query
):
    settings.DOCUMENT_PIECE_ATTEMPTS = 1
    document_of(reduceai)
    document_of(reduceai, outcome="failed")
    with django_assert_max_num_queries(100) as few:
        listed(console, **query)

    for outcome in ("completed", "failed", "failed"):
        document_of(reduceai, outcome=outcome)
    with django_assert_max_num_queries(len(few.captured_queries)):
        listed(console, **query)


def test_the_list_finds_a_document_by_its_order_id_or_its_owner(console, reduceai):
    document = document_of(reduceai)
    other = document_of(reduceai)

    by_order = listed(console, q=document.order_id.lower())
    by_owner = listed(console, q=other.owner.email)

    assert document.order_id in by_order and other.order_id not in by_order
    assert other.order_id in by_owner and document.order_id not in by_owner


def test_a_documents_page_links_both_files_and_lists_its_pieces(console, reduceai):
    document = document_of(reduceai)

    page = console.get(reverse("admin:rewriting_rewritingdocument_change", args=[document.pk]))

    text = page.content.decode()
    links = re.findall(r'href="(/rewrite/documents/[^"]+)"', text)
    assert len(links) == 2
    downloaded = console.get(links[1])
    assert downloaded.status_code == 200
    assert (
        downloaded["Content-Disposition"]
        == f"attachment; filename*=utf-8''{quote('论文_改写.docx')}"
    )
    assert "上游处理中" not in text and "已完成" in text  # its one piece


def test_staff_retry_the_failed_pieces_of_failed_documents_only(console, reduceai, settings):
    settings.DOCUMENT_PIECE_ATTEMPTS = 1
    failed = document_of(reduceai, outcome="failed")
    completed = document_of(reduceai)

    response = console.post(
        reverse(CHANGELIST),
        {"action": "retry_failed_pieces", "_selected_action": [failed.pk, completed.pk]},
    )

    shown = [m.message for m in get_messages(response.wsgi_request)]
    assert f"{failed.order_id}：1 个片段将重新提交" in shown
    assert f"{completed.order_id}：只有失败的文档可以重试" in shown
    failed.refresh_from_db()
    assert failed.status == DocumentStatus.PROCESSING
    assert failed.pieces.get().status == PieceStatus.WAITING
