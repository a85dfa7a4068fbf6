from django.db import connection
from django.db.models import QuerySet, Sum

from accounts.models import Role, User
from csa.errors import ForbiddenError, NotFoundError
from csa.ids import uuid_or_none
from csa.paging import rows_between
from csa.statements import columns_of, fetch_all, fetch_one, instance_of
from tickets.models import Ticket, TicketStatus, TicketTally

TICKET_NOT_FOUND = "工单不存在"
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


def ticket_list(*, user: User, status: TicketStatus | None = None) -> QuerySet[Ticket]:
    tickets = tickets_visible_to(user)
    return tickets.filter(status=status) if status else tickets


_TALLY = (
    f"SELECT pending, replied, revision FROM {TicketTally._meta.db_table} "  # noqa: S608
    "WHERE creator_id = %s"
)


def ticket_total(*, user: User, status: TicketStatus | None = None) -> int:
    """How many tickets `ticket_list` gives, exactly, read from the tallies the services keep:
    one row for a customer, a sum over customers (not over tickets) for staff."""
    return _counted(user, status)[0]


def _counted(user: User, status: TicketStatus | None) -> tuple[int, int | None]:
    """The total, and for a customer their tally's revision (read by hand: every list asks)."""
    if user.role == Role.ADMIN:
        columns = [status] if status else TicketStatus.values  # a column of counts per status
        sums = TicketTally.objects.aggregate(**{f"{c}_sum": Sum(c) for c in columns})
        return sum(count or 0 for count in sums.values()), None
    pending, replied, revision = fetch_one(_TALLY, [user.pk]) or (0, 0, 0)
    counts = {TicketStatus.PENDING: pending, TicketStatus.REPLIED: replied}
    return (counts[status] if status else pending + replied), revision


def ticket_page(
    *, user: User, status: TicketStatus | None, start: int, stop: int
) -> tuple[list[Ticket], int]:
    """Tickets `start` to `stop` of `ticket_list`, and how many it has."""
    total, revision = _counted(user, status)
    if revision is None:  # staff's list of everyone's: rarely paged deep
        rows = rows_between(ticket_list(user=user, status=status), start, stop, total=total)
        return rows, total
    if start == 0:
        return _first_page_of(user, status, stop), total
    bookmarks = f"ticket-pages:{user.pk}:{status or 'all'}:{revision}"
    rows = ticket_list(user=user, status=status)
    return rows_between(rows, start, stop, total=total, bookmarks=bookmarks), total


_FIRST_PAGE = (
    f"SELECT {columns_of(Ticket, 't')}, r.email FROM {Ticket._meta.db_table} t "  # noqa: S608
    f"LEFT JOIN {User._meta.db_table} r ON r.id = t.responder_id "
    "WHERE t.creator_id = %s {status}ORDER BY t.created_at DESC, t.id DESC LIMIT %s"
)


def _first_page_of(customer: User, status: TicketStatus | None, limit: int) -> list[Ticket]:
    """The customer's newest tickets, as `ticket_list(...)[:limit]` gives them, by hand: the
    list customers open most, read from its index with one statement."""
    params = [customer.pk, *([status] if status else []), limit]
    rows = fetch_all(_FIRST_PAGE.format(status="AND t.status = %s " if status else ""), params)
    tickets = []
    for *columns, responder_email in rows:
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
