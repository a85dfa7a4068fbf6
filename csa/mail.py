"""The console e-mail backend of development, refusing to run where codes must not be logged."""

import logging

from django.conf import settings
from django.core.mail.backends.console import EmailBackend

logger = logging.getLogger(__name__)

RULE = "-" * 72


class ConsoleEmailNotAllowed(Exception):
    pass


class ConsoleEmailBackend(EmailBackend):
    """Django's console backend: every e-mail, verification codes included, on the server's output,
    as a person reads it (recipients, subject and the plain-text body, not MIME's encoded words).

    It refuses to send where EMAIL_CONSOLE_ALLOWED is off (production's default), as the console
    SMS backend does: a production without EMAIL_URL fails to send instead of logging codes.
    """

    def send_messages(self, email_messages) -> int:
        if not settings.EMAIL_CONSOLE_ALLOWED:
            logger.error("The console e-mail backend is not allowed here; set EMAIL_URL")
            if self.fail_silently:
                return 0
            raise ConsoleEmailNotAllowed("console e-mail backend not allowed")
        return super().send_messages(email_messages)

    def write_message(self, message) -> None:
        self.stream.write(
            f"{RULE}\n邮件  收件人：{', '.join(message.to)}\n主题：{message.subject}\n\n"
            f"{message.body.rstrip()}\n{RULE}\n"
        )
