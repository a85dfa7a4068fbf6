"""The daily job that forgets expired sign-in records, and keeps what still counts."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.models import LoginSession, VerificationCode
from accounts.tasks import clear_expired_sign_ins
from tests.factories import LoginSessionFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=31)


def failure(*, age: timedelta) -> AccessAttempt:
    attempt = AccessAttempt.objects.create(
        username=f"{age.total_seconds()}@example.com",
        ip_address="10.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/api/auth/login",
        failures_since_start=1,
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - age)
    return attempt


def code(*, expires_in: timedelta) -> VerificationCode:
    return VerificationCode.objects.create(
        channel="email",
        address=f"{expires_in.total_seconds()}@example.com",
        purpose="register",
        code_hash="x",
        expires_at=timezone.now() + expires_in,
    )


def test_expired_records_go_and_those_that_still_count_stay():
    now = timezone.now()
    live = LoginSessionFactory()
    ended_lately = LoginSessionFactory(revoked_at=now - timedelta(days=2))
    ended_long_ago = LoginSessionFactory(revoked_at=now - LONG_AGO)
    expired_long_ago = LoginSessionFactory(expires_at=now - LONG_AGO)
    fresh_code, dead_code = code(expires_in=timedelta(minutes=5)), code(expires_in=-timedelta(1))
    counting, forgotten = failure(age=timedelta(minutes=1)), failure(age=timedelta(hours=1))
    console = SessionStore()
    console.set_expiry(-1)
    console.create()

    clear_expired_sign_ins()

    assert set(LoginSession.objects.values_list("pk", flat=True)) == {live.pk, ended_lately.pk}
    assert not LoginSession.objects.filter(pk__in=[ended_long_ago.pk, expired_long_ago.pk])
    assert list(VerificationCode.objects.values_list("pk", flat=True)) == [fresh_code.pk]
    assert not VerificationCode.objects.filter(pk=dead_code.pk).exists()
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [counting.pk]
    assert not AccessAttempt.objects.filter(pk=forgotten.pk).exists()
    assert not Session.objects.filter(session_key=console.session_key).exists()


def test_clearing_twice_changes_nothing_more():
    LoginSessionFactory(expires_at=timezone.now() - LONG_AGO)
    clear_expired_sign_ins()
    kept = LoginSessionFactory()

    clear_expired_sign_ins()

    assert list(LoginSession.objects.values_list("pk", flat=True)) == [kept.pk]
