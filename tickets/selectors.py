from django.db.models import QuerySet

from accounts.models import Role, User
from csa.errors import ForbiddenError, NotFoundError
from csa.ids import uuid_or_none
from tickets.models import Ticket, TicketStatus

TICKET_NOT_FOUND = "工单不存在"


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """A customer's own tickets; staff (role admin) may read every ticket."""
    tickets = Ticket.objects.select_related("creator", "responder").order_by("-created_at")
    return tickets if user.role == Role.ADMIN else tickets.filter(creator=user)


def ticket_list(*, user: User, status: TicketStatus | None = None) -> QuerySet[Ticket]:
    tickets = tickets_visible_to(user)
    return tickets.filter(status=status) if status else tickets


def ticket_get(*, user: User, ticket_id: str) -> Ticket:
    """The ticket if `user` may read it: 404 when there is none, 403 when it is someone else's."""
    pk = uuid_or_none(ticket_id)
    ticket = tickets_visible_to(user).filter(pk=pk).first() if pk else None
    if ticket is not None:
        return ticket
    if pk and Ticket.objects.filter(pk=pk).exists():
        raise ForbiddenError("无权访问此工单")
    raise NotFoundError(TICKET_NOT_FOUND)
