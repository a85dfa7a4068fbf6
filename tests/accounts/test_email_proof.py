"""An e-mail address is the portal's only once a code sent to it has been answered. The rewriting
sign-up proves no address, so an address registered there neither signs in to the portal nor
keeps the person who proves it from signing up: it goes to them."""

import pytest
from django.conf import settings
from django.core.cache import cache

from accounts.models import User
from tests.accounts.helpers import AUTH_ME, login, register, request_code
from tests.rewriting_accounts.helpers import LOGIN as REWRITING_LOGIN
from tests.rewriting_accounts.helpers import REGISTER as REWRITING_REGISTER
from tests.rewriting_accounts.helpers import bearer, post

pytestmark = pytest.mark.django_db

ADDRESS = "owner@example.com"
SQUATTERS_PASSWORD = "squatter-pw-1"
OWNERS_PASSWORD = "owners-password-2"
UNPROVEN = "该邮箱尚未验证，请先用邮箱验证码完成注册"


def rewriting_sign_up(client, username: str, password: str, email: str = ADDRESS):
    body = {"username": username, "email": email, "password": password}
    return post(client, REWRITING_REGISTER, body)


def rewriting_token(client, username: str, password: str) -> str | None:
    response = post(client, REWRITING_LOGIN, {"username": username, "password": password})
    return (
        response.json()["data"]["session"]["access_token"] if response.status_code == 200 else None
    )


def portal_sign_up(client, password: str):
    cache.delete(f"vc:cooldown:email:register:{ADDRESS}")  # each test's second try comes at once
    return register(client, ADDRESS, request_code(client, ADDRESS), password)


def test_an_unproven_address_neither_signs_in_to_the_portal_nor_opens_it(api_client):
    assert rewriting_sign_up(api_client, "squatter", SQUATTERS_PASSWORD).status_code == 200
    token = rewriting_token(api_client, "squatter", SQUATTERS_PASSWORD)

    portal = login(api_client, ADDRESS, SQUATTERS_PASSWORD)
    me = api_client.get(AUTH_ME, **bearer(token))
    tickets = api_client.post("/api/tickets", {"title": "冒名", "content": "…"}, **bearer(token))

    assert (portal.status_code, portal.json()) == (403, {"detail": UNPROVEN})
    assert (me.status_code, me.json()) == (403, {"detail": UNPROVEN})
    assert tickets.status_code == 403
    assert token is not None  # the rewriting service signs it in: it proves no address


def test_the_person_who_proves_the_address_gets_it_and_the_squatter_keeps_the_rest(api_client):
    rewriting_sign_up(api_client, "squatter", SQUATTERS_PASSWORD)
    squatter = User.objects.get(username="squatter")

    signed_up = portal_sign_up(api_client, OWNERS_PASSWORD)

    assert signed_up.status_code == 201
    owner = User.objects.get(email=ADDRESS)
    assert signed_up.json()["id"] == str(owner.uuid) != str(squatter.uuid)
    assert owner.email_verified and owner.username is None
    token = login(api_client, ADDRESS, OWNERS_PASSWORD).json()["access_token"]
    assert api_client.get(AUTH_ME, **bearer(token)).json()["email"] == ADDRESS
    # The squatter's account is still theirs by username, under a placeholder address.
    squatter.refresh_from_db()
    assert squatter.email == f"{squatter.uuid.hex}@{settings.PLACEHOLDER_EMAIL_DOMAIN}"
    assert not squatter.email_verified
    assert rewriting_token(api_client, "squatter", SQUATTERS_PASSWORD) is not None
    assert rewriting_token(api_client, ADDRESS, SQUATTERS_PASSWORD) is None
    assert rewriting_token(api_client, ADDRESS, OWNERS_PASSWORD) is not None


def test_proving_the_address_with_the_accounts_own_password_proves_that_account(api_client):
    rewriting_sign_up(api_client, "lee", OWNERS_PASSWORD)
    account = User.objects.get(username="lee")

    signed_up = portal_sign_up(api_client, OWNERS_PASSWORD)

    assert signed_up.status_code == 201
    assert signed_up.json()["id"] == str(account.uuid)
    assert User.objects.count() == 1
    account.refresh_from_db()
    assert account.email_verified and account.username == "lee"
    assert login(api_client, ADDRESS, OWNERS_PASSWORD).status_code == 200
    # Proven now: nobody can sign up with it again.
    again = portal_sign_up(api_client, "another-pw-9")
    assert again.json() == {"detail": "该邮箱已被注册"}


def test_a_proven_address_cannot_be_claimed_through_the_rewriting_sign_up(api_client):
    assert portal_sign_up(api_client, OWNERS_PASSWORD).status_code == 201

    squatting = rewriting_sign_up(api_client, "squatter", SQUATTERS_PASSWORD)
    portal_again = portal_sign_up(api_client, "pw-other-3")

    assert squatting.status_code == 409
    assert squatting.json()["message"] == "邮箱已被注册"
    assert portal_again.json() == {"detail": "该邮箱已被注册"}
    assert User.objects.get().email_verified


def test_a_wrong_code_claims_nothing(api_client):
    rewriting_sign_up(api_client, "squatter", SQUATTERS_PASSWORD)
    code = request_code(api_client, ADDRESS)

    response = register(api_client, ADDRESS, f"{(int(code) + 1) % 10**6:06d}", OWNERS_PASSWORD)

    assert response.json() == {"detail": "验证码无效或已过期"}
    assert User.objects.get().email == ADDRESS
    assert not User.objects.get().email_verified
