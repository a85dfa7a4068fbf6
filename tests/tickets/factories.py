import factory
from django.db import transaction

from tests.factories import UserFactory
from tickets import services
from tickets.models import Ticket, TicketMessage, TicketType


class TicketFactory(factory.django.DjangoModelFactory[Ticket]):
    """Tickets filed through the service, so the creator's tally counts them."""

    class Meta:
        model = Ticket

    creator = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"工单 {n}")
    ticket_type = TicketType.TECHNICAL
    content = "系统登录缓慢"

    @classmethod
    def _create(cls, model_class, *, id=None, **fields) -> Ticket:
        ticket = services.ticket_create(**fields)
        if id is not None:  # a ticket the test names in advance, its thread with it
            with transaction.atomic():
                Ticket.objects.filter(pk=ticket.pk).update(id=id)
                TicketMessage.objects.filter(ticket_id=ticket.pk).update(ticket_id=id)
            ticket.id = id
        return ticket
