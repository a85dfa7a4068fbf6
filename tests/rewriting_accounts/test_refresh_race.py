"""Two tabs refresh with one token at the same moment: both stay logged in, in one session."""

import pytest
from rest_framework.test import APIClient

from accounts.models import LoginSession
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.rewriting_accounts.helpers import LOGIN, REFRESH, assert_ok, post
from tests.threads import all_at_once, races_need_postgresql

pytestmark = [
    pytest.mark.django_db(transaction=True),
    races_need_postgresql,
]

TABS = 4


def test_tabs_refreshing_at_once_share_the_one_new_session():
    user = UserFactory(username="alice")
    login = post(APIClient(), LOGIN, {"username": "alice", "password": DEFAULT_PASSWORD})
    refresh_token = assert_ok(login, "登录成功")["session"]["refresh_token"]

    answers = all_at_once(
        lambda: post(APIClient(), REFRESH, {"refresh_token": refresh_token}), TABS
    )

    sessions = [assert_ok(answer, "刷新成功")["session"] for answer in answers]
    assert len({session["refresh_token"] for session in sessions}) == 1
    assert LoginSession.objects.filter(user=user, revoked_at__isnull=True).count() == 1
    assert LoginSession.objects.filter(user=user).count() == 2
