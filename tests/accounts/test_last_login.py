"""An API login says when it happened on the user (to the minute), for staff in the console."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.accounts.helpers import login
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.rewriting_accounts.helpers import LOGIN as REWRITING_LOGIN
from tests.rewriting_accounts.helpers import post

pytestmark = pytest.mark.django_db


def test_a_portal_login_sets_last_login(api_client):
    user = UserFactory()

    assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 200

    user.refresh_from_db()
    assert timezone.now() - user.last_login < timedelta(seconds=10)


def test_a_rewriting_login_sets_it_too_and_a_burst_writes_it_once(api_client):
    user = UserFactory(username="xiaoming")
    body = {"username": "xiaoming", "password": DEFAULT_PASSWORD}

    assert post(api_client, REWRITING_LOGIN, body).status_code == 200
    user.refresh_from_db()
    first = user.last_login
    post(api_client, REWRITING_LOGIN, body)
    user.refresh_from_db()
    assert user.last_login == first  # within the minute: not written again

    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        post(api_client, REWRITING_LOGIN, body)
    user.refresh_from_db()
    assert user.last_login > first


def test_a_failed_login_leaves_it_alone(api_client):
    user = UserFactory()

    login(api_client, user.email, "not-the-password")

    user.refresh_from_db()
    assert user.last_login is None
