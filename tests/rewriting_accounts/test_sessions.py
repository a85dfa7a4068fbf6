"""POST /user/refresh and 6. POST /user/logout: a refresh token works once; logout ends both."""

import logging
import time
from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from accounts.models import LoginSession
from accounts.services import user_active_set
from accounts.services.users import refresh_token_hash
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.rewriting_accounts.helpers import (
    LOGIN,
    LOGOUT,
    MISSING_TOKEN,
    PORTAL_ME,
    REFRESH,
    REFRESH_REFUSED,
    assert_ok,
    assert_refused,
    bearer,
    post,
)

pytestmark = pytest.mark.django_db

LOGGED_OUT = "退出登录成功"
ALICE = {"username": "alice", "password": DEFAULT_PASSWORD}


def refresh(client, refresh_token: str):
    return post(client, REFRESH, {"refresh_token": refresh_token})


def works(client, access_token: str) -> bool:
    return client.get(PORTAL_ME, **bearer(access_token)).status_code == 200


def logout(client, access_token: str | None, refresh_token: str | None = None):
    headers = bearer(access_token) if access_token else {}
    if refresh_token:
        headers["HTTP_REFRESH_TOKEN"] = refresh_token
    return post(client, LOGOUT, **headers)


# --- refresh -------------------------------------------------------------------------------


def test_refresh_answers_a_new_session_in_the_login_shape(api_client, member, rewriting_login):
    old = rewriting_login("alice")["session"]

    data = assert_ok(refresh(api_client, old["refresh_token"]), "刷新成功")

    assert set(data) == {"user", "session"}
    assert data["user"]["id"] == str(member.uuid)
    assert set(data["user"]) == {
        "id",
        "username",
        "email",
        "phone",
        "role",
        "points_balance",
        "rate",
        "invite_code",
        "created_at",
    }
    new = data["session"]
    assert set(new) == {"access_token", "refresh_token", "expires_at"}
    assert abs(new["expires_at"] - (time.time() + 1800)) <= 5
    assert new["access_token"] != old["access_token"]
    assert new["refresh_token"] != old["refresh_token"]
    assert works(api_client, new["access_token"])


def past_the_grace_window(refresh_token: str) -> None:
    """Move the refresh of `refresh_token` back to before the grace window."""
    before = timezone.now() - settings.REFRESH_TOKEN_REUSE_GRACE - timedelta(seconds=1)
    LoginSession.objects.filter(refresh_token_hash=refresh_token_hash(refresh_token)).update(
        revoked_at=before
    )


def live_sessions(user) -> int:
    return LoginSession.objects.filter(user=user, revoked_at__isnull=True).count()


def test_a_refresh_token_works_once(api_client, member, rewriting_login):
    old = rewriting_login("alice")["session"]
    assert_ok(refresh(api_client, old["refresh_token"]), "刷新成功")
    past_the_grace_window(old["refresh_token"])

    assert_refused(refresh(api_client, old["refresh_token"]), 401, REFRESH_REFUSED)


def test_a_second_refresh_in_the_grace_window_answers_the_same_session(
    api_client, member, rewriting_login
):
    old = rewriting_login("alice")["session"]
    first = assert_ok(refresh(api_client, old["refresh_token"]), "刷新成功")["session"]

    second = assert_ok(refresh(api_client, old["refresh_token"]), "刷新成功")["session"]

    assert second["refresh_token"] == first["refresh_token"]
    assert works(api_client, first["access_token"])
    assert works(api_client, second["access_token"])
    assert live_sessions(member) == 1
    assert_ok(refresh(api_client, first["refresh_token"]), "刷新成功")


def test_a_refresh_token_reused_after_the_window_ends_the_logins_whole_chain(
    api_client, member, rewriting_login
):
    stolen = rewriting_login("alice")["session"]
    elsewhere = rewriting_login("alice")["session"]  # another login, its own chain
    middle = assert_ok(refresh(api_client, stolen["refresh_token"]), "刷新成功")["session"]
    latest = assert_ok(refresh(api_client, middle["refresh_token"]), "刷新成功")["session"]
    past_the_grace_window(stolen["refresh_token"])

    assert_refused(refresh(api_client, stolen["refresh_token"]), 401, REFRESH_REFUSED)

    assert not works(api_client, latest["access_token"])
    assert_refused(refresh(api_client, latest["refresh_token"]), 401, REFRESH_REFUSED)
    assert works(api_client, elsewhere["access_token"])
    assert_ok(refresh(api_client, elsewhere["refresh_token"]), "刷新成功")


def test_without_a_grace_window_any_reuse_ends_the_chain(
    api_client, member, rewriting_login, settings
):
    settings.REFRESH_TOKEN_REUSE_GRACE = timedelta(0)
    old = rewriting_login("alice")["session"]
    new = assert_ok(refresh(api_client, old["refresh_token"]), "刷新成功")["session"]
    LoginSession.objects.filter(revoked_at__isnull=False).update(
        revoked_at=timezone.now() - timedelta(milliseconds=1)
    )

    assert_refused(refresh(api_client, old["refresh_token"]), 401, REFRESH_REFUSED)

    assert not works(api_client, new["access_token"])


def test_the_grace_window_does_not_revive_a_session_logged_out(api_client, member, rewriting_login):
    old = rewriting_login("alice")["session"]
    new = assert_ok(refresh(api_client, old["refresh_token"]), "刷新成功")["session"]
    logout(api_client, new["access_token"])

    assert_refused(refresh(api_client, old["refresh_token"]), 401, REFRESH_REFUSED)


def test_a_reused_refresh_token_is_logged_without_the_token(
    api_client, member, rewriting_login, caplog
):
    old = rewriting_login("alice")["session"]
    refresh(api_client, old["refresh_token"])
    past_the_grace_window(old["refresh_token"])

    with caplog.at_level(logging.WARNING, logger="accounts.services.rewriting"):
        refresh(api_client, old["refresh_token"])

    logged = [r for r in caplog.records if r.name == "accounts.services.rewriting"]
    assert [r.getMessage() for r in logged] == [
        f"A replaced refresh token of user {member.pk} was used again; its login's 1 live "
        "session(s) ended"
    ]


def test_the_old_access_token_stops_working_after_a_refresh(api_client, member, rewriting_login):
    old = rewriting_login("alice")["session"]
    assert works(api_client, old["access_token"])

    refresh(api_client, old["refresh_token"])

    assert not works(api_client, old["access_token"])


def test_expired_refresh_token_is_401(api_client, member, rewriting_login):
    old = rewriting_login("alice")["session"]
    LoginSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_refused(refresh(api_client, old["refresh_token"]), 401, REFRESH_REFUSED)


def test_unknown_refresh_token_is_401(api_client):
    assert_refused(refresh(api_client, "not-a-token"), 401, REFRESH_REFUSED)


def test_an_access_token_is_no_refresh_token(api_client, member, rewriting_login):
    old = rewriting_login("alice")["session"]

    response = refresh(api_client, old["access_token"])

    assert_refused(response, 401, REFRESH_REFUSED)
    assert works(api_client, old["access_token"])


def test_refresh_of_a_disabled_user_is_401(api_client, member, rewriting_login):
    old = rewriting_login("alice")["session"]
    member.is_active = False
    member.save()

    assert_refused(refresh(api_client, old["refresh_token"]), 401, REFRESH_REFUSED)


def test_refresh_of_a_revoked_session_is_401(api_client, member, rewriting_login):
    old = rewriting_login("alice")["session"]
    user_active_set(user=member, is_active=False)  # ends every session
    member.is_active = True
    member.save()

    assert_refused(refresh(api_client, old["refresh_token"]), 401, REFRESH_REFUSED)


@pytest.mark.parametrize("body", [{}, {"refresh_token": ""}, {"refresh_token": None}])
def test_missing_refresh_token_is_400(api_client, body):
    assert_refused(post(api_client, REFRESH, body), 400, "刷新令牌不能为空")


# --- logout --------------------------------------------------------------------------------


def test_logout_ends_the_access_and_the_refresh_token_at_once(api_client, member, rewriting_login):
    session = rewriting_login("alice")["session"]

    assert_ok(logout(api_client, session["access_token"]), LOGGED_OUT)

    assert not works(api_client, session["access_token"])
    assert_refused(refresh(api_client, session["refresh_token"]), 401, REFRESH_REFUSED)


def test_logout_leaves_the_users_other_sessions(api_client, member, rewriting_login):
    ending = rewriting_login("alice")["session"]
    other = rewriting_login("alice")["session"]

    logout(api_client, ending["access_token"])

    assert works(api_client, other["access_token"])
    assert_ok(refresh(api_client, other["refresh_token"]), "刷新成功")


def test_refresh_token_header_revokes_that_session_too(api_client, member, rewriting_login):
    current = rewriting_login("alice")["session"]
    other = rewriting_login("alice")["session"]

    response = logout(api_client, current["access_token"], other["refresh_token"])

    assert_ok(response, LOGGED_OUT)
    assert_refused(refresh(api_client, other["refresh_token"]), 401, REFRESH_REFUSED)
    assert not works(api_client, other["access_token"])
    assert not works(api_client, current["access_token"])


def test_a_refresh_token_in_the_body_revokes_that_session_too(api_client, member, rewriting_login):
    current = rewriting_login("alice")["session"]
    other = rewriting_login("alice")["session"]

    response = post(
        api_client,
        LOGOUT,
        {"refresh_token": other["refresh_token"]},
        **bearer(current["access_token"]),
    )

    assert_ok(response, LOGGED_OUT)
    assert_refused(refresh(api_client, other["refresh_token"]), 401, REFRESH_REFUSED)


def test_refresh_token_header_cannot_end_someone_elses_session(api_client, member, rewriting_login):
    UserFactory(username="bob")
    mine = rewriting_login("alice")["session"]
    theirs = rewriting_login("bob")["session"]

    assert_ok(logout(api_client, mine["access_token"], theirs["refresh_token"]), LOGGED_OUT)

    assert works(api_client, theirs["access_token"])
    assert_ok(refresh(api_client, theirs["refresh_token"]), "刷新成功")


@pytest.mark.parametrize("authorization", ["Bearer garbage", "Basic abc", "garbage"])
def test_logout_with_an_invalid_access_token_still_succeeds(api_client, authorization):
    response = post(api_client, LOGOUT, HTTP_AUTHORIZATION=authorization)

    assert_ok(response, LOGGED_OUT)


def test_logout_with_an_expired_session_still_succeeds(api_client, member, rewriting_login):
    session = rewriting_login("alice")["session"]
    LoginSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_ok(logout(api_client, session["access_token"]), LOGGED_OUT)


def test_logout_twice_succeeds(api_client, member, rewriting_login):
    session = rewriting_login("alice")["session"]
    logout(api_client, session["access_token"])

    assert_ok(logout(api_client, session["access_token"]), LOGGED_OUT)


def test_invalid_access_token_with_a_refresh_token_still_revokes_it(
    api_client, member, rewriting_login
):
    session = rewriting_login("alice")["session"]

    assert_ok(logout(api_client, "garbage", session["refresh_token"]), LOGGED_OUT)

    assert_refused(refresh(api_client, session["refresh_token"]), 401, REFRESH_REFUSED)


@pytest.mark.parametrize("authorization", [None, "", "   "])
def test_logout_without_an_access_token_is_400(api_client, authorization):
    extra = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}

    assert_refused(post(api_client, LOGOUT, **extra), 400, MISSING_TOKEN)


@pytest.mark.django_db(transaction=True)
def test_over_real_http_the_refresh_token_header_arrives_spelled_with_a_dash(live_server, member):
    """Servers drop header names with underscores (Django's, gunicorn's, nginx's defaults), so the
    document's `refresh_token` only arrives as `Refresh-Token`; this pins the form that works."""
    sessions = [
        requests.post(f"{live_server.url}{LOGIN}", json=ALICE, timeout=5).json()["data"]["session"]
        for _ in range(2)
    ]
    headers = {
        "Authorization": f"Bearer {sessions[0]['access_token']}",
        "Refresh-Token": sessions[1]["refresh_token"],
    }

    requests.post(f"{live_server.url}{LOGOUT}", headers=headers, timeout=5)

    body = {"refresh_token": sessions[1]["refresh_token"]}
    answer = requests.post(f"{live_server.url}{REFRESH}", json=body, timeout=5)
    assert answer.status_code == 401
    assert answer.json()["message"] == REFRESH_REFUSED
