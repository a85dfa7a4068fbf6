"""Forgetting what no longer works and nobody needs any more; the worker runs it daily."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils import timezone

from accounts.models import LoginSession, VerificationCode

# Ended and expired login sessions stay this long, for staff looking into an account.
LOGIN_SESSION_RETENTION = timedelta(days=30)


def expired_sign_ins_clear() -> dict[str, int]:
    """Delete login sessions ended or expired over LOGIN_SESSION_RETENTION ago, verification
    codes past their time, the console's expired sessions and sign-in failures that no longer
    count. How many of each."""
    now = timezone.now()
    kept_since = now - LOGIN_SESSION_RETENTION
    cleared = {
        "login_sessions": LoginSession.objects.filter(
            Q(expires_at__lt=kept_since) | Q(revoked_at__lt=kept_since)
        ).delete()[0],
        "verification_codes": VerificationCode.objects.filter(expires_at__lt=now).delete()[0],
        "console_sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        "sign_in_failures": AccessAttempt.objects.filter(
            attempt_time__lt=now - settings.AXES_COOLOFF_TIME
        ).delete()[0],
    }
    return cleared
