"""An e-mail backend whose every send fails, as an unreachable SMTP server would."""

from smtplib import SMTPException

from django.core.mail.backends.base import BaseEmailBackend


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPException("SMTP server unreachable")
