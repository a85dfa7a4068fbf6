"""Bearer tokens: signed JWTs that name a live server-side LoginSession of their user."""

from datetime import timedelta

import jwt
import pytest
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import LoginSession
from tests.accounts.helpers import AUTH_ME
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INVALID = {"detail": "无效的认证凭据"}


def build_token(*, sub, sid, lifetime: timedelta | None = None) -> AccessToken:
    token = AccessToken()
    token["sub"] = str(sub)
    token["sid"] = str(sid)
    if lifetime is not None:
        token.set_exp(lifetime=lifetime)
    return token


def get_me(client, authorization: str):
    return client.get(AUTH_ME, HTTP_AUTHORIZATION=authorization)


def assert_invalid(response) -> None:
    assert response.status_code == 401
    assert response.json() == INVALID
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_token_built_for_a_live_session_works(api_client, user, make_session):
    session = make_session(user)
    token = build_token(sub=user.uuid, sid=session.id)

    response = get_me(api_client, f"Bearer {token}")

    assert response.status_code == 200
    assert response.json()["id"] == str(user.uuid)


def test_bearer_keyword_is_case_insensitive(api_client, user, make_token):
    assert get_me(api_client, f"bearer {make_token(user)}").status_code == 200


def test_revoked_session_is_401(api_client, user, make_session):
    session = make_session(user)
    token = build_token(sub=user.uuid, sid=session.id)
    LoginSession.objects.filter(pk=session.pk).update(revoked_at=timezone.now())

    assert_invalid(get_me(api_client, f"Bearer {token}"))


def test_expired_session_is_401(api_client, user, make_session):
    session = make_session(user)
    token = build_token(sub=user.uuid, sid=session.id)
    LoginSession.objects.filter(pk=session.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert_invalid(get_me(api_client, f"Bearer {token}"))


def test_expired_jwt_of_a_live_session_is_401(api_client, user, make_session):
    session = make_session(user)
    token = build_token(sub=user.uuid, sid=session.id, lifetime=timedelta(seconds=-1))

    assert_invalid(get_me(api_client, f"Bearer {token}"))


def test_token_with_another_users_sub_is_401(api_client, user, make_session):
    session = make_session(user)
    other = UserFactory()
    make_session(other)
    token = build_token(sub=other.uuid, sid=session.id)

    assert_invalid(get_me(api_client, f"Bearer {token}"))


def test_token_for_an_unknown_session_is_401(api_client, user, make_session):
    make_session(user)
    token = build_token(sub=user.uuid, sid="00000000-0000-4000-8000-000000000000")

    assert_invalid(get_me(api_client, f"Bearer {token}"))


def test_token_without_session_claim_is_401(api_client, user, make_session):
    make_session(user)
    token = AccessToken()
    token["sub"] = str(user.uuid)

    assert_invalid(get_me(api_client, f"Bearer {token}"))


@pytest.mark.parametrize("claim", ["sub", "sid"])
def test_token_with_a_malformed_claim_is_401(api_client, user, make_session, claim):
    session = make_session(user)
    token = build_token(sub=user.uuid, sid=session.id)
    token[claim] = "not-a-uuid"

    assert_invalid(get_me(api_client, f"Bearer {token}"))


def test_token_signed_with_another_key_is_401(api_client, user, make_session):
    session = make_session(user)
    payload = build_token(sub=user.uuid, sid=session.id).payload
    forged = jwt.encode(payload, "not-the-signing-key-but-long-enough-for-hs256", "HS256")

    assert_invalid(get_me(api_client, f"Bearer {forged}"))


def test_unsigned_token_is_401(api_client, user, make_session):
    session = make_session(user)
    payload = build_token(sub=user.uuid, sid=session.id).payload
    unsigned = jwt.encode(payload, None, algorithm="none")

    assert_invalid(get_me(api_client, f"Bearer {unsigned}"))


@pytest.mark.parametrize("raw", ["garbage", "a.b.c", "", "Bearer"])
def test_garbage_token_is_401(api_client, user, raw):
    assert_invalid(get_me(api_client, f"Bearer {raw}"))


def test_other_authorization_scheme_counts_as_no_credentials(api_client, user, make_token):
    response = get_me(api_client, f"Token {make_token(user)}")

    assert response.status_code == 401
    assert response.json() == {"detail": "未提供认证凭据"}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_revoking_one_session_leaves_the_others(api_client, user, make_session):
    first, second = make_session(user), make_session(user)
    LoginSession.objects.filter(pk=first.pk).update(revoked_at=timezone.now())

    token = build_token(sub=user.uuid, sid=second.id)
    assert get_me(api_client, f"Bearer {token}").status_code == 200
