from django.conf import settings
from django.db import connection, models
from django.db.models import QuerySet, Sum

from accounts.models import Role, User
from csa.errors import ForbiddenError, NotFoundError
from csa.ids import uuid_or_none
from csa.paging import rows_between
from csa.statements import columns_of, fetch_all, fetch_one, instance_of
from csa.storage import SignedLink, download_url
from tickets.models import (
    Ticket,
    TicketAlertSubscription,
    TicketAttachment,
    TicketMessage,
    TicketStatus,
    TicketTally,
)

TICKET_NOT_FOUND = "工单不存在"
ATTACHMENT_NOT_FOUND = "附件不存在"
# What a ticket's answer shows: of its two people, their e-mail addresses only.
ANSWERED_FIELDS = (
    *(field.name for field in Ticket._meta.concrete_fields if not field.is_relation),
    "creator__email",
    "responder__email",
)


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """A customer's own tickets; staff (role admin) may read every ticket."""
    tickets = (
        Ticket.objects.select_related("creator", "responder")
        .only(*ANSWERED_FIELDS)
        .order_by("-created_at", "-id")
    )
    return tickets if user.role == Role.ADMIN else tickets.filter(creator=user)


class TicketState(models.TextChoices):
    """Whether a ticket is closed: a filter of the lists, not a column (`closed_at`)."""

    OPEN = "open", "未关闭"
    CLOSED = "closed", "已关闭"


def ticket_list(
    *, user: User, status: TicketStatus | None = None, state: TicketState | None = None
) -> QuerySet[Ticket]:
    tickets = tickets_visible_to(user)
    if status:
        tickets = tickets.filter(status=status)
    if state:
        tickets = tickets.filter(closed_at__isnull=state == TicketState.OPEN)
    return tickets


TALLY_COLUMNS = ("pending", "replied", "pending_closed", "replied_closed")
_TALLY = (
    f"SELECT {', '.join(TALLY_COLUMNS)}, revision "  # noqa: S608
    f"FROM {TicketTally._meta.db_table} WHERE creator_id = %s"
)


def ticket_total(
    *, user: User, status: TicketStatus | None = None, state: TicketState | None = None
) -> int:
    """How many tickets `ticket_list` gives, exactly, read from the tallies the services keep:
    one row for a customer, a sum over customers (not over tickets) for staff."""
    return _counted(user, status, state)[0]


def _tally_terms(status: TicketStatus | None, state: TicketState | None) -> dict[str, int]:
    """The tally's columns (and signs) whose sum is the list's count: the open ones are all
    but the closed ones."""
    statuses = [status] if status else TicketStatus.values
    closed = {f"{each}_closed": 1 for each in statuses}
    if state == TicketState.CLOSED:
        return closed
    everything = dict.fromkeys(statuses, 1)
    if state == TicketState.OPEN:
        return everything | {column: -1 for column in closed}
    return everything


def _counted(
    user: User, status: TicketStatus | None, state: TicketState | None
) -> tuple[int, int | None]:
    """The total, and for a customer their tally's revision (read by hand: every list asks)."""
    terms = _tally_terms(status, state)
    if user.role == Role.ADMIN:
        sums = TicketTally.objects.aggregate(**{f"{c}_sum": Sum(c) for c in terms})
        return sum(sign * (sums[f"{c}_sum"] or 0) for c, sign in terms.items()), None
    *counts, revision = fetch_one(_TALLY, [user.pk]) or (0,) * (len(TALLY_COLUMNS) + 1)
    counted = dict(zip(TALLY_COLUMNS, counts, strict=True))
    return sum(sign * counted[c] for c, sign in terms.items()), revision


def ticket_page(
    *,
    user: User,
    status: TicketStatus | None,
    start: int,
    stop: int,
    state: TicketState | None = None,
) -> tuple[list[Ticket], int]:
    """Tickets `start` to `stop` of `ticket_list`, and how many it has."""
    total, revision = _counted(user, status, state)
    rows = ticket_list(user=user, status=status, state=state)
    if revision is None:  # staff's list of everyone's: rarely paged deep
        return rows_between(rows, start, stop, total=total), total
    if start == 0:
        return _first_page_of(user, status, state, stop), total
    bookmarks = f"ticket-pages:{user.pk}:{status or 'all'}:{state or 'all'}:{revision}"
    return rows_between(rows, start, stop, total=total, bookmarks=bookmarks), total


_FIRST_PAGE = (
    f"SELECT {columns_of(Ticket, 't')}, r.email FROM {Ticket._meta.db_table} t "  # noqa: S608
    f"LEFT JOIN {User._meta.db_table} r ON r.id = t.responder_id "
    "WHERE t.creator_id = %s {status}{state}ORDER BY t.created_at DESC, t.id DESC LIMIT %s"
)
# Written as the partial indexes' conditions (ticket_creator_open, ticket_creator_closed) are,
# so that the planner sees they apply.
_STATE_CONDITIONS = {
    None: "",
    TicketState.OPEN: "AND t.closed_at IS NULL ",
    TicketState.CLOSED: "AND t.closed_at IS NOT NULL ",
}


def _first_page_of(
    customer: User, status: TicketStatus | None, state: TicketState | None, limit: int
) -> list[Ticket]:
    """The customer's newest tickets, as `ticket_list(...)[:limit]` gives them, by hand: the
    list customers open most, read from its index with one statement."""
    params = [customer.pk, *([status] if status else []), limit]
    statement = _FIRST_PAGE.format(
        status="AND t.status = %s " if status else "", state=_STATE_CONDITIONS[state or None]
    )
    tickets = []
    for *columns, responder_email in fetch_all(statement, params):
        ticket = instance_of(Ticket, columns)
        ticket.creator = customer
        if ticket.responder_id is not None:
            ticket.responder = User.from_db(
                connection.alias, ["id", "email"], [ticket.responder_id, responder_email]
            )
        tickets.append(ticket)
    return tickets


def ticket_get(*, user: User, ticket_id: str) -> Ticket:
    """The ticket if `user` may read it: 404 when there is none, 403 when it is someone else's."""
    pk = uuid_or_none(ticket_id)
    ticket = tickets_visible_to(user).filter(pk=pk).first() if pk else None
    if ticket is not None:
        return ticket
    if pk and Ticket.objects.filter(pk=pk).exists():
        raise ForbiddenError("无权访问此工单")
    raise NotFoundError(TICKET_NOT_FOUND)


def ticket_messages(*, ticket: Ticket) -> QuerySet[TicketMessage]:
    """The thread of a ticket the caller may read (`ticket_get`), oldest first, each message
    with its author and attachments (two queries a page, however long)."""
    return (
        TicketMessage.objects.filter(ticket=ticket)
        .select_related("author")
        .only(*(field.name for field in TicketMessage._meta.concrete_fields), "author__email")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def ticket_attachment_get(*, ticket: Ticket, attachment_id: str) -> TicketAttachment:
    """An attachment of a ticket the caller may read (`ticket_get`): one of another ticket is as
    missing as one that never was."""
    pk = uuid_or_none(attachment_id)
    attachments = TicketAttachment.objects.filter(message__ticket=ticket)
    attachment = attachments.filter(pk=pk).first() if pk else None
    if attachment is None:
        raise NotFoundError(ATTACHMENT_NOT_FOUND)
    return attachment


def ticket_attachment_find(*, attachment_id: str) -> TicketAttachment:
    """The attachment a signed download link names: the signature was the credential."""
    pk = uuid_or_none(attachment_id)
    attachment = TicketAttachment.objects.filter(pk=pk).first() if pk else None
    if attachment is None:
        raise NotFoundError(ATTACHMENT_NOT_FOUND)
    return attachment


def ticket_attachment_download_url(*, attachment: TicketAttachment, request) -> str:
    return download_url(
        key=attachment.oss_key,
        file_id=attachment.pk,
        filename=attachment.filename,
        content_type=attachment.content_type,
        link=ATTACHMENT_LINK,
        request=request,
    )


def ticket_alert_recipients(*, ticket: Ticket) -> list[str]:
    """Who is e-mailed when `ticket` arrives or its customer writes: TICKET_ALERT_EMAILS, the
    active staff subscribed to its type, and its assignee."""
    subscribed = TicketAlertSubscription.objects.filter(
        ticket_type=ticket.ticket_type, user__is_active=True, user__role=Role.ADMIN
    ).values_list("user__email", flat=True)
    recipients = {*settings.TICKET_ALERT_EMAILS, *subscribed}
    if ticket.assignee_id is not None:
        assignee = User.objects.filter(pk=ticket.assignee_id, is_active=True).first()
        recipients.update([assignee.email] if assignee is not None else [])
    return sorted(recipients)


# A local-storage download link of an attachment (the route is the API's; the console links it
# too): the signature in the URL is the credential, for the ticket's owner and staff.
ATTACHMENT_LINK = SignedLink(route="ticket-attachment-download", salt="tickets.attachment-download")
