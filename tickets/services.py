import secrets
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from csa.errors import ApplicationError, ForbiddenError, NotFoundError
from csa.history import record_changes, snapshot
from csa.ids import uuid_or_none
from csa.notifications import email_after_commit
from csa.storage import size_text, storage_key_name, stored_file_delete, stored_file_save
from tickets import selectors
from tickets.models import (
    Ticket,
    TicketAttachment,
    TicketChange,
    TicketMessage,
    TicketStatus,
    TicketTally,
    TicketType,
)
from tickets.selectors import TICKET_NOT_FOUND
from uploads.sniffing import FileType, file_type_of

EDITABLE_FIELDS = ("title", "content")
CLOSE_FIELDS = ["closed_at", "closed_by", "closed_final"]
REPLY_FIELDS = ["status", "feedback", "responder", "replied_at", *CLOSE_FIELDS]
FOLLOW_UP_FIELDS = ["status", *CLOSE_FIELDS]


def _ticket_locked(ticket_id: str) -> Ticket:
    pk = uuid_or_none(ticket_id)
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("creator", "responder")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if ticket is None:
        raise NotFoundError(TICKET_NOT_FOUND)
    return ticket


def _record(ticket: Ticket, actor: User | None, before: dict) -> None:
    record_changes(
        history=TicketChange, subject_field="ticket", subject=ticket, actor=actor, before=before
    )


_TALLY_FILED = (
    f"INSERT INTO {TicketTally._meta.db_table} (creator_id, pending, replied, revision) "  # noqa: S608
    "VALUES (%s, 1, 0, 0) ON CONFLICT (creator_id) DO UPDATE "
    "SET pending = tickets_tickettally.pending + 1"
)


def _tally_filed(creator_id: int) -> None:
    """Count a new ticket, in the caller's transaction: one statement (PostgreSQL's and SQLite's
    upsert), so a customer's first two tickets filed at once cannot both create the row."""
    with connection.cursor() as cursor:
        cursor.execute(_TALLY_FILED, [creator_id])


def _tally_move(creator_id: int, **moves: int) -> None:
    """Move the counts (`pending`, `replied`, `pending_closed`, `replied_closed`) of a ticket
    that exists, so its creator's row does too."""
    TicketTally.objects.filter(creator_id=creator_id).update(
        **{column: F(column) + by for column, by in moves.items()},
        revision=F("revision") + 1,
    )


def _tally_remove(tickets: list[Ticket]) -> None:
    removed = Counter(
        (ticket.creator_id, f"{ticket.status}{'_closed' if ticket.is_closed else ''}")
        for ticket in tickets
    )
    for creator_id in {creator_id for creator_id, _ in removed}:
        pending, replied = TicketStatus.PENDING, TicketStatus.REPLIED
        _tally_move(
            creator_id,
            pending=-removed[creator_id, pending] - removed[creator_id, f"{pending}_closed"],
            replied=-removed[creator_id, replied] - removed[creator_id, f"{replied}_closed"],
            pending_closed=-removed[creator_id, f"{pending}_closed"],
            replied_closed=-removed[creator_id, f"{replied}_closed"],
        )


def first_response_due(ticket_type: str, filed_at):
    return filed_at + timedelta(hours=settings.TICKET_FIRST_RESPONSE_HOURS[ticket_type])


@transaction.atomic
def ticket_create(*, creator: User, title: str, ticket_type: TicketType, content: str) -> Ticket:
    """A new ticket: its question is the thread's opening message, its first answer is due
    within the type's hours, and staff are alerted."""
    now = timezone.now()
    ticket = Ticket.objects.create(
        creator=creator,
        title=title,
        ticket_type=ticket_type,
        content=content,
        first_response_due_at=first_response_due(ticket_type, now),
    )
    TicketMessage.objects.create(ticket=ticket, author=creator, body=content, created_at=now)
    _tally_filed(creator.pk)
    staff_alert(ticket=ticket, subject=f"新工单：{ticket.title}", body=content)
    return ticket


@transaction.atomic
def ticket_update(*, ticket_id: str, actor: User, changes: dict[str, str]) -> Ticket:
    """The creator edits title and content while the ticket waits for its reply."""
    ticket = _ticket_locked(ticket_id)
    if ticket.creator_id != actor.pk:
        raise ForbiddenError("无权更新此工单")
    if ticket.status != TicketStatus.PENDING:
        raise ApplicationError("工单已被回复，不能再更新")
    changes = {name: value for name, value in changes.items() if name in EDITABLE_FIELDS}
    before = snapshot(ticket, list(changes))
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*changes, "updated_at"])
    if "content" in changes:  # the opening message is the question
        opening = ticket.messages.order_by("created_at", "id").first()
        if opening is not None:
            opening.body = ticket.content
            opening.save(update_fields=["body"])
    _record(ticket, actor, before)
    return ticket


@transaction.atomic
def ticket_delete(*, ticket_id: str, actor: User) -> None:
    ticket = _ticket_locked(ticket_id)
    if ticket.creator_id != actor.pk:
        raise ForbiddenError("无权删除此工单")
    _attachments_removed_after_commit([ticket.pk])
    ticket.delete()
    _tally_remove([ticket])


@transaction.atomic
def tickets_delete_by_staff(tickets: QuerySet[Ticket]) -> None:
    """Staff remove tickets from the console."""
    chosen = Ticket.objects.filter(pk__in=list(tickets.values_list("pk", flat=True)))
    locked = list(
        chosen.select_for_update().order_by("pk").only("pk", "creator", "status", "closed_at")
    )
    _attachments_removed_after_commit([ticket.pk for ticket in locked])
    Ticket.objects.filter(pk__in=[ticket.pk for ticket in locked]).delete()
    _tally_remove(locked)


def _attachments_removed_after_commit(ticket_ids: list) -> None:
    _stored_removed_after_commit(TicketAttachment.objects.filter(message__ticket_id__in=ticket_ids))


def ticket_attachments_of_creator_remove(*, creator: User) -> None:
    """A customer's account goes, and their tickets with it (a cascade): the stored files of
    those tickets go too, once the deletion commits."""
    _stored_removed_after_commit(TicketAttachment.objects.filter(message__ticket__creator=creator))


def _stored_removed_after_commit(attachments: QuerySet[TicketAttachment]) -> None:
    keys = list(attachments.values_list("oss_key", flat=True))
    if keys:
        transaction.on_commit(lambda: [stored_file_delete(key) for key in keys])


# --- the conversation ----------------------------------------------------------------------

TICKET_CLOSED_FINAL = "工单已被客服关闭，不能继续回复，如有新问题请提交新工单"
BODY_EMPTY = "消息内容不能为空"


def ticket_message_post(
    *, ticket_id: str, author: User, body: str, files: Sequence[File] = ()
) -> TicketMessage:
    """The customer writes in their ticket: the ball is with staff again (`pending`), a closed
    ticket reopens (unless staff closed it as final), and staff are alerted."""
    body = _body(body)
    ticket = _ticket_for_follow_up(ticket_id=ticket_id, author=author)  # refuse before storing
    # Keys under the ticket's own id, not however the URL spelled it (upper case, urn:uuid:…).
    with attachments_stored(ticket_id=str(ticket.pk), files=files) as stored:
        message = _follow_up(ticket_id=ticket_id, author=author, body=body, stored=stored)
    return message


def _body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ApplicationError(BODY_EMPTY)
    return body


def _ticket_for_follow_up(*, ticket_id: str, author: User, lock: bool = False) -> Ticket:
    ticket = (
        _ticket_locked(ticket_id)
        if lock
        else selectors.ticket_get(user=author, ticket_id=ticket_id)
    )
    if ticket.creator_id != author.pk:
        raise ForbiddenError("无权回复此工单")
    if ticket.closed_final:
        raise ApplicationError(TICKET_CLOSED_FINAL)
    return ticket


@transaction.atomic
def _follow_up(*, ticket_id: str, author: User, body: str, stored: list) -> TicketMessage:
    ticket = _ticket_for_follow_up(ticket_id=ticket_id, author=author, lock=True)
    before = snapshot(ticket, FOLLOW_UP_FIELDS)
    message = _message_add(ticket, author=author, body=body, stored=stored, from_staff=False)
    _reopened(ticket)
    if ticket.status == TicketStatus.REPLIED:
        ticket.status = TicketStatus.PENDING
        _tally_move(ticket.creator_id, pending=1, replied=-1)
    ticket.updated_at = message.created_at
    ticket.save(update_fields=[*FOLLOW_UP_FIELDS, "updated_at"])
    _record(ticket, author, before)
    staff_alert(ticket=ticket, subject=f"工单有新消息：{ticket.title}", body=body)
    return message


def _message_add(
    ticket: Ticket, *, author: User, body: str, stored: list, from_staff: bool
) -> TicketMessage:
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, body=body, from_staff=from_staff
    )
    TicketAttachment.objects.bulk_create(
        TicketAttachment(message=message, **attachment) for attachment in stored
    )
    return message


def _reopened(ticket: Ticket) -> None:
    """Open `ticket` again (not saved) if it was closed, and count it among the open ones."""
    if not ticket.is_closed:
        return
    _tally_move(ticket.creator_id, **{f"{ticket.status}_closed": -1})
    ticket.closed_at = None
    ticket.closed_by = None
    ticket.closed_final = False


def ticket_reply(
    *, ticket_id: str, responder: User, feedback: str, files: Sequence[File] = ()
) -> Ticket:
    """Staff answer, as often as the conversation needs: the answer is the ticket's `feedback`
    (the latest), the ball is with the customer (`replied`), a closed ticket reopens, and the
    customer is told by e-mail."""
    feedback = _body(feedback)
    with attachments_stored(ticket_id=ticket_id, files=files) as stored:
        ticket = _reply(ticket_id=ticket_id, responder=responder, body=feedback, stored=stored)
    return ticket


@transaction.atomic
def _reply(*, ticket_id: str, responder: User, body: str, stored: list) -> Ticket:
    ticket = _ticket_locked(ticket_id)
    before = snapshot(ticket, REPLY_FIELDS)
    message = _message_add(ticket, author=responder, body=body, stored=stored, from_staff=True)
    _reopened(ticket)
    if ticket.status == TicketStatus.PENDING:
        _tally_move(ticket.creator_id, pending=-1, replied=1)
    ticket.status = TicketStatus.REPLIED
    ticket.feedback = body
    ticket.responder = responder
    ticket.replied_at = message.created_at
    ticket.first_responded_at = ticket.first_responded_at or message.created_at
    ticket.updated_at = message.created_at
    ticket.save(update_fields=[*REPLY_FIELDS, "first_responded_at", "updated_at"])
    _record(ticket, responder, before)
    email_after_commit(
        to=[ticket.creator.email],
        subject=f"您的工单「{ticket.title}」已回复",
        template="emails/ticket_replied.txt",
        context={"ticket": ticket},
    )
    return ticket


@transaction.atomic
def ticket_close(*, ticket_id: str, actor: User, final: bool = False) -> Ticket:
    """The customer, or staff, close a ticket; only staff may close it as final (a follow-up
    then no longer reopens it). Closing a closed ticket changes nothing but finality."""
    ticket = _ticket_locked(ticket_id)
    if ticket.creator_id != actor.pk and not actor.is_staff:
        raise ForbiddenError("无权关闭此工单")
    final = final and actor.is_staff
    if ticket.is_closed and ticket.closed_final >= final:
        return ticket
    before = snapshot(ticket, CLOSE_FIELDS)
    if not ticket.is_closed:
        _tally_move(ticket.creator_id, **{f"{ticket.status}_closed": 1})
        ticket.closed_at = timezone.now()
        ticket.closed_by = actor
    ticket.closed_final = final
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*CLOSE_FIELDS, "updated_at"])
    _record(ticket, actor, before)
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket_id: str, actor: User) -> Ticket:
    """Open a closed ticket again: its customer (unless staff closed it as final) or staff."""
    ticket = _ticket_locked(ticket_id)
    if ticket.creator_id != actor.pk and not actor.is_staff:
        raise ForbiddenError("无权重新打开此工单")
    if ticket.closed_final and not actor.is_staff:
        raise ApplicationError(TICKET_CLOSED_FINAL)
    if not ticket.is_closed:
        return ticket
    before = snapshot(ticket, CLOSE_FIELDS)
    _reopened(ticket)
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*CLOSE_FIELDS, "updated_at"])
    _record(ticket, actor, before)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket_id: str, assignee: User | None, actor: User) -> Ticket:
    """Staff give a ticket to themselves or a colleague (None: to nobody)."""
    if assignee is not None and not assignee.is_staff:
        raise ApplicationError("只能指派给启用的员工")
    ticket = _ticket_locked(ticket_id)
    before = snapshot(ticket, ["assignee"])
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee"])
    _record(ticket, actor, before)
    return ticket


# --- attachments ----------------------------------------------------------------------------


@contextmanager
def attachments_stored(*, ticket_id: str, files: Sequence[File]) -> Iterator[list[dict]]:
    """Judge and store a message's files before its transaction; the rows' fields. If what
    follows fails, the stored objects are removed again."""
    judged = attachments_check(files)
    stored = []
    try:
        for upload, (filename, file_type) in zip(files, judged, strict=True):
            stored.append(_attachment_stored(ticket_id, upload, filename, file_type))
        yield stored
    except BaseException:
        for attachment in stored:
            stored_file_delete(attachment["oss_key"])
        raise


def attachments_check(files: Sequence[File]) -> list[tuple[str, FileType]]:
    """Refuse a message's files past the count or size, empty or of a type we do not take;
    each file's name as kept and its type."""
    limit = settings.TICKET_ATTACHMENTS_PER_MESSAGE
    if len(files) > limit:
        raise ApplicationError(f"每条消息最多{limit}个附件")
    for upload in files:
        if upload.size > settings.TICKET_ATTACHMENT_MAX_BYTES:
            limit = size_text(settings.TICKET_ATTACHMENT_MAX_BYTES)
            raise ApplicationError(f"附件「{upload.name}」超过{limit}", status_code=413)
        if not upload.size:
            raise ApplicationError(f"附件「{upload.name}」是空文件")
    return [_attachment_type(upload) for upload in files]


def _attachment_type(upload: File) -> tuple[str, FileType]:
    """The attachment's name as kept, and its type as its content says (or a refusal)."""
    filename = storage_key_name(upload.name or "")
    file_type = file_type_of(upload, filename=filename)
    if file_type is None:
        raise ApplicationError(f"不支持的附件类型：{filename}")
    return filename, file_type


def _attachment_stored(ticket_id: str, upload: File, filename: str, file_type: FileType) -> dict:
    key = f"tickets/{ticket_id}/{secrets.token_hex(16)}.{file_type.kind}"
    return {
        "filename": filename,
        "file_size": upload.size,
        "content_type": file_type.mime,
        "oss_key": stored_file_save(key=key, content=upload),
    }


# --- alerts -----------------------------------------------------------------------------------


def staff_alert(*, ticket: Ticket, subject: str, body: str) -> None:
    """E-mail the staff who should know (after commit; a failed mail loses nothing)."""
    recipients = selectors.ticket_alert_recipients(ticket=ticket)
    if recipients:
        email_after_commit(
            to=recipients,
            subject=subject,
            template="emails/ticket_staff_alert.txt",
            context={"ticket": ticket, "body": body},
        )
