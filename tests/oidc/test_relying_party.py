"""A real relying party (Authlib's OAuth 2.0 client) through the whole code flow with PKCE,
over real HTTP: the customer signs in and approves in a browser session, the client exchanges the
code, checks the ID token against the published JWKS, reads userinfo and refreshes; it is refused
once its owner deletes it, and once the customer changes their password."""

import html
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.factories import DEFAULT_PASSWORD
from tests.oidc.conftest import REDIRECT_URI

pytestmark = pytest.mark.django_db(transaction=True)

HIDDEN_INPUT = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"')


@pytest.fixture
def provider(live_server, settings) -> dict:
    """The discovery document of a provider whose issuer is the live server."""
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": live_server.url}
    response = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    return response.json()


def hidden_fields(page: str) -> dict[str, str]:
    return {match["name"]: html.unescape(match["value"]) for match in HIDDEN_INPUT.finditer(page)}


def browser_approves(authorization_url: str, *, email: str, password: str) -> str:
    """What a customer's browser does: sign in, approve; the redirect it is sent on."""
    browser = requests.Session()
    sign_in_page = browser.get(authorization_url, timeout=10)
    assert urlsplit(sign_in_page.url).path == "/oauth/login/"
    form = {**hidden_fields(sign_in_page.text), "email": email, "password": password}
    approval_page = browser.post(sign_in_page.url, data=form, timeout=10)
    assert approval_page.status_code == 200, approval_page.text
    assert "同意授权" in approval_page.text
    approval = {**hidden_fields(approval_page.text), "allow": "on"}
    approved = browser.post(approval_page.url, data=approval, allow_redirects=False, timeout=10)
    assert approved.status_code == 302
    return approved.headers["Location"]


def relying_party(issued) -> OAuth2Session:
    return OAuth2Session(
        issued.client.client_id,
        issued.client_secret,
        scope="openid profile email",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )


def signed_in(rp: OAuth2Session, provider: dict, customer) -> tuple[dict, str]:
    """The code flow up to the tokens; with the nonce the ID token must carry."""
    code_verifier, nonce = generate_token(48), secrets.token_urlsafe(16)
    url, state = rp.create_authorization_url(
        provider["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce
    )
    redirect = browser_approves(url, email=customer.email, password=DEFAULT_PASSWORD)
    assert redirect.startswith(f"{REDIRECT_URI}?")
    assert parse_qs(urlsplit(redirect).query)["state"] == [state]
    token = rp.fetch_token(
        provider["token_endpoint"],
        authorization_response=redirect,
        state=state,
        code_verifier=code_verifier,
    )
    return token, nonce


def id_token_claims(token: dict, provider: dict, *, client_id: str, nonce: str) -> dict:
    """The ID token's claims, its signature checked against the JWKS the discovery document names
    (with joserfc, the JOSE library Authlib's own authlib.jose now defers to)."""
    jwks = KeySet.import_key_set(requests.get(provider["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(token["id_token"], jwks, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": provider["issuer"]},
        aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    ).validate(decoded.claims)
    return decoded.claims


def test_the_code_flow_with_pkce_until_the_owner_deletes_the_client(
    provider, issued, customer, developer, live_server, make_token
):
    rp = relying_party(issued)

    token, nonce = signed_in(rp, provider, customer)
    claims = id_token_claims(token, provider, client_id=issued.client.client_id, nonce=nonce)
    userinfo = rp.get(provider["userinfo_endpoint"], timeout=10)
    refreshed = rp.refresh_token(provider["token_endpoint"], refresh_token=token["refresh_token"])

    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    assert set(token["scope"].split()) == {"openid", "profile", "email"}
    assert claims["sub"] == str(customer.uuid)
    assert claims["email"] == customer.email
    assert userinfo.status_code == 200
    assert userinfo.json() == {
        "sub": str(customer.uuid),
        "name": "张三",
        "email": customer.email,
        "email_verified": True,
    }
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]

    deleted = requests.delete(
        f"{live_server.url}/api/oauth/clients/{issued.client.client_id}",
        headers={"Authorization": f"Bearer {make_token(developer)}"},
        timeout=10,
    )

    assert deleted.status_code == 204
    with pytest.raises(OAuthError) as refused:
        rp.refresh_token(provider["token_endpoint"], refresh_token=refreshed["refresh_token"])
    assert refused.value.error == "invalid_client"
    assert rp.get(provider["userinfo_endpoint"], timeout=10).status_code == 401


def test_a_password_change_ends_the_tokens_the_customer_granted(
    provider, issued, customer, live_server, make_token
):
    rp = relying_party(issued)
    token, _ = signed_in(rp, provider, customer)

    changed = requests.post(
        f"{live_server.url}/api/users/me/change-password",
        json={"old_password": DEFAULT_PASSWORD, "new_password": "a-new-password-1"},
        headers={"Authorization": f"Bearer {make_token(customer)}"},
        timeout=10,
    )

    assert changed.status_code == 200, changed.text
    assert rp.get(provider["userinfo_endpoint"], timeout=10).status_code == 401
    with pytest.raises(OAuthError) as refused:
        rp.refresh_token(provider["token_endpoint"], refresh_token=token["refresh_token"])
    assert refused.value.error == "invalid_grant"
