"""Earlier tickets become conversations: the question is the opening message, a reply is staff's
message, and the first-response clock starts from when each ticket was filed."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations

BATCH = 2000


def threads(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketMessage = apps.get_model("tickets", "TicketMessage")
    tickets = Ticket.objects.order_by("pk").only(
        "pk", "ticket_type", "content", "creator_id", "created_at", "feedback", "responder_id",
        "replied_at",
    )
    batch = []
    for ticket in tickets.iterator(chunk_size=BATCH):
        hours = settings.TICKET_FIRST_RESPONSE_HOURS.get(ticket.ticket_type, 24)
        ticket.first_response_due_at = ticket.created_at + timedelta(hours=hours)
        ticket.first_responded_at = ticket.replied_at
        batch.append(ticket)
        if len(batch) == BATCH:
            _save(Ticket, TicketMessage, batch)
            batch = []
    _save(Ticket, TicketMessage, batch)


def _save(Ticket, TicketMessage, tickets) -> None:
    Ticket.objects.bulk_update(tickets, ["first_response_due_at", "first_responded_at"])
    messages = []
    for ticket in tickets:
        messages.append(
            TicketMessage(
                ticket_id=ticket.pk,
                author_id=ticket.creator_id,
                body=ticket.content,
                created_at=ticket.created_at,
            )
        )
        if ticket.feedback:
            messages.append(
                TicketMessage(
                    ticket_id=ticket.pk,
                    author_id=ticket.responder_id,
                    from_staff=True,
                    body=ticket.feedback,
                    created_at=ticket.replied_at or ticket.created_at,
                )
            )
    TicketMessage.objects.bulk_create(messages)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_conversations")]

    operations = [migrations.RunPython(threads, migrations.RunPython.noop, elidable=True)]
