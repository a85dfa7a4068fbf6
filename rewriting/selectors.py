from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from accounts.models import User
from csa.envelope.serializers import page_of
from csa.errors import NotFoundError
from points.amounts import points_text
from rewriting.documents.stored import document_download_url, rewritten_name
from rewriting.models import (
    ACCEPTED_STATUSES,
    DocumentStatus,
    PieceStatus,
    RewritingDocument,
    RewritingTask,
    TaskStatus,
)

TASK_NOT_FOUND = "任务不存在"


def rewriting_task_of(*, user: User, service: str, upstream_task_id: str) -> RewritingTask:
    """One of the user's own tasks, by the id its vendor gave it; anyone else's is not found.
    A task the vendor took but that is not charged yet (its request was cut off) is found too."""
    task = user.rewriting_tasks.filter(
        service=service,
        upstream_task_id=upstream_task_id,
        status__in=(*ACCEPTED_STATUSES, TaskStatus.SUBMITTING),
    ).first()
    if task is None:
        raise NotFoundError(TASK_NOT_FOUND)
    return task


DOCUMENT_NOT_FOUND = "订单不存在"


@dataclass(frozen=True)
class DocumentState:
    """A document as its owner is told of it."""

    document: RewritingDocument
    pieces_total: int
    pieces_done: int
    pieces_failed: int
    download_url: str | None

    @property
    def state(self) -> int:
        if self.document.status == DocumentStatus.PROCESSING:
            return 0
        return 2 if self.document.output_file else 3

    @property
    def success(self) -> bool:
        return self.document.status == DocumentStatus.COMPLETED

    @property
    def refunded(self) -> Decimal:
        return self.document.refunded

    @property
    def state_text(self) -> str:
        if self.state == 0:
            return "处理中"
        if self.success:
            return "已完成"
        refunded = f"，已返还 {points_text(self.refunded)} 积分" if self.refunded else ""
        if self.state == 2:
            return f"部分完成：{self.pieces_failed} 个片段未能改写，保留原文{refunded}"
        return f"改写失败{refunded or '，冻结积分已释放'}"

    @property
    def progress(self) -> int:
        ended = self.pieces_done + self.pieces_failed
        return ended * 100 // self.pieces_total if self.pieces_total else 100


def rewriting_document_state(*, user: User, order_id: str, request) -> DocumentState:
    """One of the user's own documents, with its pieces counted (one query) and, once written,
    a download URL; anyone else's is not found."""
    document = (
        user.rewriting_documents.select_related("spend__refund").filter(order_id=order_id).first()
    )
    if document is None:
        raise NotFoundError(DOCUMENT_NOT_FOUND)
    counts = document.pieces.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=PieceStatus.COMPLETED)),
        failed=Count("pk", filter=Q(status=PieceStatus.FAILED)),
    )
    download_url = None
    if document.status != DocumentStatus.PROCESSING and document.output_file:
        download_url = document_download_url(
            key=document.output_file, name=rewritten_name(document.file_name), request=request
        )
    return DocumentState(
        document=document,
        pieces_total=counts["total"],
        pieces_done=counts["done"],
        pieces_failed=counts["failed"],
        download_url=download_url,
    )


def rewriting_documents_counted(*, page: int, limit: int) -> tuple[list, dict]:
    """Every document's counted characters, newest first: staff statistics, a page at a time."""
    rows = RewritingDocument.objects.only("pk", "order_id", "characters", "created_at")
    return page_of(rows.order_by("-created_at", "-id"), page=page, limit=limit)
