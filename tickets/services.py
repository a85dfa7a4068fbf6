from collections import Counter

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from csa.errors import ApplicationError, ForbiddenError, NotFoundError
from csa.history import record_changes, snapshot
from csa.ids import uuid_or_none
from csa.notifications import email_after_commit
from tickets.models import Ticket, TicketChange, TicketStatus, TicketTally, TicketType
from tickets.selectors import TICKET_NOT_FOUND

EDITABLE_FIELDS = ("title", "content")
REPLY_FIELDS = ["status", "feedback", "responder", "replied_at"]


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


def _tally_move(creator_id: int, *, pending: int = 0, replied: int = 0) -> None:
    """Move the counts of a ticket that exists, so its creator's row does too."""
    TicketTally.objects.filter(creator_id=creator_id).update(
        pending=F("pending") + pending,
        replied=F("replied") + replied,
        revision=F("revision") + 1,
    )


def _tally_remove(tickets: list[Ticket]) -> None:
    removed = Counter((ticket.creator_id, ticket.status) for ticket in tickets)
    for creator_id in {creator_id for creator_id, _ in removed}:
        _tally_move(
            creator_id,
            pending=-removed[creator_id, TicketStatus.PENDING],
            replied=-removed[creator_id, TicketStatus.REPLIED],
        )


@transaction.atomic
def ticket_create(*, creator: User, title: str, ticket_type: TicketType, content: str) -> Ticket:
    ticket = Ticket.objects.create(
        creator=creator, title=title, ticket_type=ticket_type, content=content
    )
    _tally_filed(creator.pk)
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
    _record(ticket, actor, before)
    return ticket


@transaction.atomic
def ticket_delete(*, ticket_id: str, actor: User) -> None:
    ticket = _ticket_locked(ticket_id)
    if ticket.creator_id != actor.pk:
        raise ForbiddenError("无权删除此工单")
    ticket.delete()
    _tally_remove([ticket])


@transaction.atomic
def tickets_delete_by_staff(tickets: QuerySet[Ticket]) -> None:
    """Staff remove tickets from the console."""
    chosen = Ticket.objects.filter(pk__in=list(tickets.values_list("pk", flat=True)))
    locked = list(chosen.select_for_update().order_by("pk").only("pk", "creator", "status"))
    Ticket.objects.filter(pk__in=[ticket.pk for ticket in locked]).delete()
    _tally_remove(locked)


@transaction.atomic
def ticket_reply(*, ticket_id: str, responder: User, feedback: str) -> Ticket:
    """Staff answer a pending ticket, once; the creator is told by e-mail."""
    ticket = _ticket_locked(ticket_id)
    if ticket.status != TicketStatus.PENDING:
        raise ApplicationError("工单已回复，不能重复回复")
    feedback = feedback.strip()
    if not feedback:
        raise ApplicationError("回复内容不能为空")
    before = snapshot(ticket, REPLY_FIELDS)
    now = timezone.now()
    ticket.status = TicketStatus.REPLIED
    ticket.feedback = feedback
    ticket.responder = responder
    ticket.replied_at = now
    ticket.updated_at = now
    ticket.save(update_fields=[*REPLY_FIELDS, "updated_at"])
    _tally_move(ticket.creator_id, pending=-1, replied=1)
    _record(ticket, responder, before)
    email_after_commit(
        to=[ticket.creator.email],
        subject=f"您的工单「{ticket.title}」已回复",
        template="emails/ticket_replied.txt",
        context={"ticket": ticket},
    )
    return ticket
