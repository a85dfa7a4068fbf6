import factory

from tests.factories import UserFactory
from tickets.models import Ticket, TicketType


class TicketFactory(factory.django.DjangoModelFactory[Ticket]):
    class Meta:
        model = Ticket

    creator = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"工单 {n}")
    ticket_type = TicketType.TECHNICAL
    content = "系统登录缓慢"
