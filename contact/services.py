import ipaddress

from django.db import transaction
from django.utils import timezone
from django.utils.text import normalize_newlines

from accounts.models import Role, User
from contact.models import ContactMessage
from contact.selectors import staff_notification_recipients
from contact.turnstile import turnstile_verify
from csa.errors import ForbiddenError
from csa.notifications import email_after_commit

PROCESS_DENIED = "只有管理员可以处理联系留言"


def contact_message_submit(
    *, name: str, email: str, message: str, turnstile_token: str, client_ip: str
) -> ContactMessage:
    """Store a visitor's message once Cloudflare vouches for the token, and tell staff.

    Cloudflare is asked before the transaction opens, so a slow answer holds none open and a
    refused token leaves nothing behind.
    """
    address = _ip_or_none(client_ip)
    turnstile_verify(token=turnstile_token, remote_ip=address or "")
    return _contact_message_store(name=name, email=email, message=message, client_ip=address)


@transaction.atomic
def _contact_message_store(
    *, name: str, email: str, message: str, client_ip: str | None
) -> ContactMessage:
    contact_message = ContactMessage.objects.create(
        name=name, email=email, message=message, client_ip=client_ip
    )
    recipients = staff_notification_recipients()
    if recipients:
        email_after_commit(
            to=recipients,
            # A header value may not span lines; the name is the visitor's free text.
            subject=f"新的联系留言：{' '.join(name.split())}",
            template="emails/contact_message_received.txt",
            context={"contact_message": contact_message},
        )
    return contact_message


def _ip_or_none(address: str) -> str | None:
    """The address if it is one: what a proxy forwards may be anything, the column takes IPs."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _contact_message_locked(message: ContactMessage) -> ContactMessage:
    return (
        ContactMessage.objects.select_for_update(of=("self",))
        .select_related("processed_by")
        .get(pk=message.pk)
    )


@transaction.atomic
def contact_message_process(
    *, message: ContactMessage, actor: User, is_processed: bool, admin_notes: str | None
) -> ContactMessage:
    """Staff mark a message handled or not, with notes.

    The first marking records when and by whom; unmarking keeps that record, so the console
    still shows who first handled a message that was reopened.
    """
    if actor.role != Role.ADMIN:
        raise ForbiddenError(PROCESS_DENIED)
    message = _contact_message_locked(message)
    # Browsers send a textarea's line breaks as CRLF; kept as they were, the notes are unchanged.
    admin_notes = normalize_newlines((admin_notes or "").strip()) or None
    if (message.is_processed, message.admin_notes) == (is_processed, admin_notes):
        return message
    now = timezone.now()
    if is_processed and message.processed_at is None:
        message.processed_at = now
        message.processed_by = actor
    message.is_processed = is_processed
    message.admin_notes = admin_notes
    message.updated_at = now
    message.save(
        update_fields=["is_processed", "admin_notes", "processed_at", "processed_by", "updated_at"]
    )
    return message
