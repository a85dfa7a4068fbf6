"""A whole thesis's life. Uploaded: opened safely, counted, priced, its cost held, cut into
pieces. Advanced by the worker every ADVANCE_INTERVAL, never in a request: pieces sent to the
vendor its route names (a bounded number at once per document and per vendor), polled, retried
with back-off; the held cost spent when the vendor takes the first piece. Finished once no piece
is open: the rewritten text put back into the same document, and, if some piece could not be
rewritten, the points of what was not delivered given back, once."""

import logging
import zlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import User
from csa.errors import ApplicationError, ServiceUnavailableError
from csa.ids import public_number
from points.amounts import points_truncate
from points.services import (
    points_hold,
    points_hold_release,
    points_refund_part,
    points_spend,
    points_spend_fail,
)
from rewriting.documents import (
    Piece,
    body_of,
    body_rewrite,
    counted_characters,
    document_bytes,
    document_opened,
    paragraph_texts,
    pieces_of,
)
from rewriting.documents.body import paragraph_text
from rewriting.documents.stored import (
    document_file_delete,
    document_file_read,
    document_file_save,
)
from rewriting.models import (
    PIECE_OPEN_STATUSES,
    DocumentPiece,
    DocumentStatus,
    PieceStatus,
    RewritingDocument,
    TaskStatus,
)
from rewriting.pricing import MAX_TEXT_CHARACTERS, document_cost
from rewriting.providers import ProviderError, ProviderUnavailable, provider_for
from rewriting.routing import route_for
from rewriting.services.polling import POLL_INTERVAL
from rewriting.services.submission import submission_deadline

logger = logging.getLogger(__name__)

ADVANCE_INTERVAL = timedelta(seconds=3)
ADVANCE_BATCH = 200
NO_BODY = "文档中没有可改写的正文"
STORAGE_UNAVAILABLE = "文件存储暂时不可用，请稍后再试"
VENDOR_TIMED_OUT = "上游超时未完成"


@dataclass(frozen=True)
class DocumentUpload:
    """What the customer is told of a document just taken."""

    document: RewritingDocument
    new_balance: Decimal


def rewriting_document_upload(
    *, user: User, data: bytes, file_name: str, platform: str, task_type: str
) -> DocumentUpload:
    """Take a .docx: refuse it (400, nothing charged) unless it is one we can safely open with
    text to rewrite; hold its whole cost (400 积分不足 and nothing kept if the points are not
    there); store it and its pieces for the worker."""
    body = body_of(document_opened(data))
    if not body.characters:
        raise ApplicationError(NO_BODY)
    route = route_for(platform, task_type)
    try:
        provider_for(route.service)  # a vendor that is not configured takes nothing
    except ProviderUnavailable as error:
        raise ServiceUnavailableError(error.message) from error
    cost = document_cost(body.characters)
    order_id = public_number("DOC")
    try:
        input_file = document_file_save(
            owner_uuid=user.uuid, order_id=order_id, kind="input", data=data
        )
    except Exception as error:
        logger.exception("Storing document %s failed", order_id)
        raise ServiceUnavailableError(STORAGE_UNAVAILABLE) from error
    pieces = pieces_of(body.rewritable, limit=MAX_TEXT_CHARACTERS)
    try:
        with transaction.atomic():
            account = points_hold(user=user, amount=cost)
            document = RewritingDocument.objects.create(
                owner=user,
                order_id=order_id,
                file_name=file_name[:255],
                platform=platform,
                task_type=task_type,
                service=route.service,
                tool=route.tool,
                size=len(data),
                characters=body.characters,
                cost=cost,
                input_file=input_file,
            )
            DocumentPiece.objects.bulk_create(_piece_rows(document, pieces))
    except BaseException:
        _file_discard(input_file)
        raise
    return DocumentUpload(document=document, new_balance=account.available)


def _piece_rows(document: RewritingDocument, pieces: list[Piece]) -> list[DocumentPiece]:
    return [
        DocumentPiece(
            document=document,
            position=position,
            text=piece.text,
            paragraphs=list(piece.paragraphs),
            partial=piece.partial,
            characters=counted_characters(piece.text),
            service=document.service,
        )
        for position, piece in enumerate(pieces)
    ]


def _file_discard(key: str) -> None:
    try:
        document_file_delete(key)
    except Exception:
        logger.exception("Removing the stored document %s failed", key)


# --- the worker's rounds ---------------------------------------------------------------------


def rewriting_documents_due() -> list[int]:
    """Claim the processing documents not advanced for ADVANCE_INTERVAL, oldest advanced first."""
    now = timezone.now()
    due = (
        RewritingDocument.objects.filter(status=DocumentStatus.PROCESSING)
        .filter(Q(advanced_at__isnull=True) | Q(advanced_at__lte=now - ADVANCE_INTERVAL))
        .order_by(F("advanced_at").asc(nulls_first=True))
    )
    with transaction.atomic():
        ids = list(
            due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:ADVANCE_BATCH]
        )
        RewritingDocument.objects.filter(pk__in=ids).update(advanced_at=now)
    return ids


def rewriting_document_advance(*, document_id: int) -> RewritingDocument:
    """One round of a processing document: poll its pieces at the vendor, send those waiting
    (within the bounds), and finish it once none is open. Each step holds whatever it changes
    by a conditional update or a lock, so two rounds at once change nothing twice."""
    document = RewritingDocument.objects.select_related("owner").get(pk=document_id)
    if document.status != DocumentStatus.PROCESSING:
        return document
    _pieces_poll(document)
    _pieces_recover(document)
    for piece in _pieces_claim(document):
        _piece_send(document, piece)
    taken = (PieceStatus.SUBMITTED, PieceStatus.COMPLETED)
    if document.spend_id is None and document.pieces.filter(status__in=taken).exists():
        _document_charge(document)  # a charge a failed round left undone
    return _document_finish(document)


def _pieces_poll(document: RewritingDocument) -> None:
    now = timezone.now()
    due = document.pieces.filter(status=PieceStatus.SUBMITTED).filter(
        Q(checked_at__isnull=True) | Q(checked_at__lte=now - POLL_INTERVAL)
    )
    for piece in due:
        DocumentPiece.objects.filter(pk=piece.pk).update(checked_at=now)
        timed_out = piece.submitted_at < now - _piece_timeout()
        try:
            state = provider_for(piece.service).fetch(task_id=piece.upstream_task_id)
        except ProviderUnavailable as error:
            if timed_out:
                _piece_not_done(piece, reason=VENDOR_TIMED_OUT, status=PieceStatus.SUBMITTED)
            else:
                _piece_note(piece, error.message)
            continue
        if state.status == TaskStatus.COMPLETED and state.result and state.result.strip():
            DocumentPiece.objects.filter(pk=piece.pk, status=PieceStatus.SUBMITTED).update(
                status=PieceStatus.COMPLETED, result=state.result, error=""
            )
        elif state.status in (TaskStatus.COMPLETED, TaskStatus.FAILED):
            reason = "上游任务失败" if state.status == TaskStatus.FAILED else "上游返回空结果"
            _piece_not_done(piece, reason=reason, status=PieceStatus.SUBMITTED)
        elif timed_out:
            _piece_not_done(piece, reason=VENDOR_TIMED_OUT, status=PieceStatus.SUBMITTED)


def _piece_timeout() -> timedelta:
    return timedelta(minutes=settings.DOCUMENT_PIECE_TIMEOUT_MINUTES)


def _pieces_recover(document: RewritingDocument) -> None:
    """A piece claimed for sending longer ago than a send can take was cut off (its worker
    died): it is sent again. The vendor may hold a task for it we never learned of, which costs
    us, not the customer."""
    cut_off = document.pieces.filter(
        status=PieceStatus.SUBMITTING, submitted_at__lt=timezone.now() - submission_deadline()
    )
    for piece in cut_off:
        _piece_not_done(piece, reason="提交中断", status=PieceStatus.SUBMITTING)


def _pieces_claim(document: RewritingDocument) -> list[DocumentPiece]:
    """The waiting pieces due a send, as many as both bounds leave room for, marked submitting
    (each counted as an attempt). The vendor's bound is counted under a lock of its own, so
    documents advanced at once never exceed it together."""
    now = timezone.now()
    with transaction.atomic():
        _vendor_lock(document.service)
        in_flight = DocumentPiece.objects.filter(
            service=document.service,
            status__in=(PieceStatus.SUBMITTING, PieceStatus.SUBMITTED),
        ).aggregate(
            vendor=Count("pk"),
            document=Count("pk", filter=Q(document=document)),
        )
        room = min(
            settings.DOCUMENT_PIECES_IN_FLIGHT - in_flight["document"],
            settings.DOCUMENT_VENDOR_PIECES_IN_FLIGHT - in_flight["vendor"],
        )
        if room <= 0:
            return []
        waiting = (
            document.pieces.filter(status=PieceStatus.WAITING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("position")
        )
        pieces = list(waiting.select_for_update(skip_locked=True)[:room])
        DocumentPiece.objects.filter(pk__in=[piece.pk for piece in pieces]).update(
            status=PieceStatus.SUBMITTING, submitted_at=now, attempts=F("attempts") + 1
        )
    for piece in pieces:
        piece.attempts += 1
    return pieces


def _vendor_lock(service: str) -> None:
    """Hold the vendor's lock until the transaction ends. SQLite (the embedded default) lets
    one writer in at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = zlib.crc32(f"rewriting.vendor.{service}".encode())
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _piece_send(document: RewritingDocument, piece: DocumentPiece) -> None:
    """Hand the piece to the vendor, then record the id it gave; the HTTP call holds no lock."""
    try:
        upstream_task_id = provider_for(piece.service).submit(text=piece.text, tool=document.tool)
    except ProviderError as error:
        _piece_not_done(piece, reason=error.message, status=PieceStatus.SUBMITTING)
        return
    try:
        with transaction.atomic():
            DocumentPiece.objects.filter(pk=piece.pk, status=PieceStatus.SUBMITTING).update(
                status=PieceStatus.SUBMITTED,
                upstream_task_id=upstream_task_id,
                submitted_at=timezone.now(),
                checked_at=None,
                error="",
            )
    except IntegrityError:
        logger.error(
            "%s gave a document piece the id %s, which another has", piece.service, upstream_task_id
        )
        _piece_not_done(
            piece,
            reason=f"上游返回了重复的任务ID：{upstream_task_id}",
            status=PieceStatus.SUBMITTING,
        )
        return
    _document_charge(document)


def _piece_not_done(piece: DocumentPiece, *, reason: str, status: str) -> None:
    """The piece, still `status`, was not rewritten: it waits to be sent again after a back-off
    that doubles with each attempt, or fails once it had all its attempts."""
    exhausted = piece.attempts >= settings.DOCUMENT_PIECE_ATTEMPTS
    delay = settings.DOCUMENT_PIECE_RETRY_SECONDS * 2 ** max(piece.attempts - 1, 0)
    DocumentPiece.objects.filter(pk=piece.pk, status=status).update(
        status=PieceStatus.FAILED if exhausted else PieceStatus.WAITING,
        upstream_task_id=None,
        next_attempt_at=None if exhausted else timezone.now() + timedelta(seconds=delay),
        error=reason[:255],
    )
    logger.info("Document piece %s not rewritten (attempt %s): %s", piece, piece.attempts, reason)


def _piece_note(piece: DocumentPiece, message: str) -> None:
    DocumentPiece.objects.filter(pk=piece.pk).update(error=message[:255])


def _document_locked(document: RewritingDocument) -> RewritingDocument:
    """The document's row, locked: the document before the account, in every service here."""
    return (
        RewritingDocument.objects.select_for_update(of=("self",))
        .select_related("owner", "spend")
        .get(pk=document.pk)
    )


def _document_charge(document: RewritingDocument) -> None:
    """The vendor took a piece: spend the held cost, once, if not spent yet."""
    if document.spend_id is not None:
        return
    with transaction.atomic():
        locked = _document_locked(document)
        if locked.spend_id is None:
            locked.spend = points_spend(
                user=locked.owner,
                amount=locked.cost,
                description=f"{locked.label}：{locked.file_name}（{locked.characters}字）"[:255],
                reference_id=locked.order_id,
                held=True,
            )
            locked.save(update_fields=["spend", "updated_at"])
    document.spend_id = locked.spend_id


# --- finishing -------------------------------------------------------------------------------


def _document_finish(document: RewritingDocument) -> RewritingDocument:
    """Once no piece is open: the rewritten document written, the document completed or failed,
    and what was not delivered given back."""
    if document.pieces.filter(status__in=PIECE_OPEN_STATUSES).exists():
        return document
    pieces = list(document.pieces.order_by("position"))
    delivered = any(piece.status == PieceStatus.COMPLETED for piece in pieces)
    output_file = _document_assemble(document, pieces) if delivered else ""
    with transaction.atomic():
        document = _document_locked(document)
        if document.status != DocumentStatus.PROCESSING:
            return document  # finished meanwhile by another round
        failed = [piece for piece in pieces if piece.status == PieceStatus.FAILED]
        document.status = DocumentStatus.FAILED if failed else DocumentStatus.COMPLETED
        document.output_file = output_file
        document.finished_at = timezone.now()
        document.save(update_fields=["status", "output_file", "finished_at", "updated_at"])
        if failed:
            _document_give_back(
                document, undelivered=sum(p.characters for p in failed), delivered=delivered
            )
    return document


def _document_assemble(document: RewritingDocument, pieces: list[DocumentPiece]) -> str:
    """The uploaded document with each delivered piece's text put back (a piece that failed
    keeps its own), stored; its key."""
    docx = document_opened(document_file_read(document.input_file))
    body = body_of(docx)
    _same_body(document, body, pieces)
    plan = [Piece(piece.text, tuple(piece.paragraphs), piece.partial) for piece in pieces]
    results = [
        piece.result if piece.status == PieceStatus.COMPLETED else piece.text for piece in pieces
    ]
    body_rewrite(body, paragraph_texts(plan, results))
    return document_file_save(
        owner_uuid=document.owner.uuid,
        order_id=document.order_id,
        kind="output",
        data=document_bytes(docx),
    )


def _same_body(document: RewritingDocument, body, pieces: list[DocumentPiece]) -> None:
    """The body read now is the one the pieces were cut from (the settings that end it may
    have changed since the upload): a paragraph's text must be where its piece says."""
    for piece in pieces:
        if piece.partial:
            continue
        texts = [
            paragraph_text(body.paragraphs[index])
            for index in piece.paragraphs
            if index < len(body.paragraphs)
        ]
        if "\n".join(texts) != piece.text:
            raise RuntimeError(f"Document {document.order_id} no longer reads as it was cut")


def _document_give_back(document: RewritingDocument, *, undelivered: int, delivered: bool) -> None:
    """The locked, failed document's points for what was not delivered, once: the hold released
    if nothing was ever spent; else the whole spend (marked failed) or its undelivered share."""
    if document.spend is None:
        points_hold_release(user=document.owner, amount=document.cost)
        return
    if not delivered:
        points_spend_fail(spend=document.spend)
        amount = document.cost
    else:
        amount = points_truncate(document.cost * undelivered / document.characters)
    if amount > 0:
        points_refund_part(spend=document.spend, amount=amount)


# --- staff -----------------------------------------------------------------------------------


def rewriting_document_retry(*, document: RewritingDocument) -> int:
    """Staff send a failed document's failed pieces again, each with all its attempts; the
    document processes again. Points given back stay given back; a document nothing was spent
    for holds its cost again. How many pieces go again."""
    with transaction.atomic():
        document = _document_locked(document)
        if document.status != DocumentStatus.FAILED:
            raise ApplicationError("只有失败的文档可以重试")
        if document.spend is None:
            points_hold(user=document.owner, amount=document.cost)
        count = document.pieces.filter(status=PieceStatus.FAILED).update(
            status=PieceStatus.WAITING, attempts=0, next_attempt_at=None, error=""
        )
        document.status = DocumentStatus.PROCESSING
        document.finished_at = None
        document.advanced_at = None
        document.save(update_fields=["status", "finished_at", "advanced_at", "updated_at"])
    return count
