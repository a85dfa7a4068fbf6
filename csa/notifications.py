"""E-mail to customers and staff: rendered from templates, sent only after the change commits."""

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def email_after_commit(*, to: list[str], subject: str, template: str, context: dict) -> None:
    """Send once the surrounding transaction commits; a failure is logged, never raised.

    The change that caused the e-mail is already saved by then, so a mail server that is down
    costs the customer a notification, never the change itself.
    """
    body = render_to_string(template, context)

    def send() -> None:
        try:
            send_mail(subject, body, None, to)
        except Exception:
            logger.exception("E-mail %r to %s failed", subject, to)

    transaction.on_commit(send)
