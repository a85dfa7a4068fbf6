"""The provider's rules: PKCE, exact redirect URIs, grants and scopes per client, the discovery
document and its keys, the end of tokens, and throttling."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import AccessToken, RefreshToken

from accounts.services import user_active_set
from oidc.signing_keys import new_private_key_pem
from tests.oidc.conftest import REDIRECT_URI
from tests.oidc.flows import (
    authorization_params,
    browser_of,
    token_response,
    tokens_for,
    userinfo,
)

pytestmark = pytest.mark.django_db


def test_the_code_flow_answers_tokens_and_an_id_token(issued, customer):
    tokens = tokens_for(customer, issued)

    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert {"access_token", "refresh_token", "id_token", "scope"} <= set(tokens)


def test_pkce_is_required(issued, customer):
    params = authorization_params(issued, code_challenge=None, code_challenge_method=None)

    response = browser_of(customer).get("/oauth/authorize", params)

    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["invalid_request"]
    assert "code" not in query


def test_a_plain_code_challenge_is_refused(issued, customer):
    params = authorization_params(issued, code_challenge="x" * 43, code_challenge_method="plain")

    response = browser_of(customer).get("/oauth/authorize", params)

    assert "code=" not in response.get("Location", "")


@pytest.mark.parametrize(
    "redirect_uri",
    [
        f"{REDIRECT_URI}/",
        f"{REDIRECT_URI}?next=1",
        "https://rp.example.com:8443/callback",
        "https://evil.example.com/callback",
    ],
)
def test_the_redirect_uri_must_match_exactly(issued, customer, redirect_uri):
    response = browser_of(customer).get(
        "/oauth/authorize", authorization_params(issued, redirect_uri=redirect_uri)
    )

    assert response.status_code == 400
    assert "授权请求无效" in response.content.decode()


def test_the_client_credentials_grant_acts_for_no_customer(issued):
    response = token_response(issued, grant_type="client_credentials")

    assert response.status_code == 200
    tokens = response.json()
    assert "refresh_token" not in tokens
    assert "id_token" not in tokens
    assert userinfo(tokens["access_token"]).status_code == 401


def test_a_client_uses_only_the_grants_it_registered(make_client, customer):
    code_only = make_client(grant_types=["authorization_code"])

    tokens = tokens_for(customer, code_only)

    assert "refresh_token" not in tokens
    refused = token_response(code_only, grant_type="client_credentials")
    assert refused.status_code == 400
    assert refused.json()["error"] == "unauthorized_client"


def test_a_client_asks_only_for_the_scopes_it_registered(make_client, customer):
    openid_only = make_client(scopes=["openid"])
    params = authorization_params(openid_only, scope="openid email")

    response = browser_of(customer).get("/oauth/authorize", params)

    assert parse_qs(urlsplit(response["Location"]).query)["error"] == ["invalid_scope"]


@pytest.mark.parametrize(
    ("scope", "claims"),
    [
        ("openid", {"sub"}),
        ("openid profile", {"sub", "name"}),
        ("openid email", {"sub", "email", "email_verified"}),
    ],
)
def test_userinfo_gives_the_claims_the_scopes_allow(issued, customer, scope, claims):
    tokens = tokens_for(customer, issued, scope=scope)

    answer = userinfo(tokens["access_token"])

    assert answer.status_code == 200
    assert set(answer.json()) == claims
    assert answer.json()["sub"] == str(customer.uuid)


def test_the_discovery_document_names_our_endpoints(client):
    document = client.get("/.well-known/openid-configuration").json()

    issuer = settings.OIDC_ISSUER
    assert document["issuer"] == issuer
    assert document["authorization_endpoint"] == f"{issuer}/oauth/authorize"
    assert document["token_endpoint"] == f"{issuer}/oauth/token"
    assert document["userinfo_endpoint"] == f"{issuer}/oauth/userinfo"
    assert document["jwks_uri"] == f"{issuer}/oauth/jwks"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert set(document["scopes_supported"]) == {"openid", "profile", "email"}
    assert set(document["claims_supported"]) == {"sub", "name", "email", "email_verified"}
    assert document["id_token_signing_alg_values_supported"][0] == "RS256"


def test_a_rotated_out_key_stays_in_the_jwks_for_the_tokens_it_signed(
    issued, customer, client, settings
):
    old_key = settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]
    id_token = tokens_for(customer, issued)["id_token"]

    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": new_private_key_pem().decode(),
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [old_key],
    }
    jwks = client.get("/oauth/jwks").json()
    new_id_token = tokens_for(customer, issued)["id_token"]

    assert len(jwks["keys"]) == 2
    key_set = KeySet.import_key_set(jwks)
    for token in (id_token, new_id_token):
        assert jwt.decode(token, key_set, algorithms=["RS256"]).claims["sub"] == str(customer.uuid)
    kids = [jwt.decode(t, key_set).header["kid"] for t in (id_token, new_id_token)]
    assert kids == [jwks["keys"][1]["kid"], jwks["keys"][0]["kid"]]


def test_disabling_an_account_ends_the_tokens_it_granted(issued, customer):
    tokens = tokens_for(customer, issued)

    user_active_set(user=customer, is_active=False)

    assert userinfo(tokens["access_token"]).status_code == 401
    assert not AccessToken.objects.filter(user=customer).exists()
    assert not RefreshToken.objects.filter(user=customer, revoked=None).exists()


def test_the_token_endpoint_is_throttled_in_oauths_shape(issued, throttle_rates):
    throttle_rates["login"] = "2/min"

    answers = [token_response(issued, grant_type="client_credentials") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2].json()["error"] == "temporarily_unavailable"
    assert int(answers[2]["Retry-After"]) > 0


def test_the_public_routes_are_throttled(client, throttle_rates):
    throttle_rates["public"] = "1/min"

    first = client.get("/.well-known/openid-configuration")
    second = client.get("/oauth/jwks")
    page = client.get("/oauth/authorize")

    assert first.status_code == 200
    assert second.status_code == 429
    assert page.status_code == 429
    assert "请求过于频繁" in page.content.decode()


def test_the_approval_page_lets_its_form_lead_back_to_the_client(issued, customer, settings):
    # Browsers apply the policy's form-action to the redirect that follows the approval.
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "csp.middleware.CSPMiddleware"]

    page = browser_of(customer).get("/oauth/authorize", authorization_params(issued))

    policy = page["Content-Security-Policy"]
    assert "form-action 'self' https://rp.example.com" in policy
    assert "script-src 'self'" in policy
    assert "<script" not in page.content.decode()


def test_a_refusal_goes_back_to_the_client_as_access_denied(issued, customer):
    browser = browser_of(customer)
    page = browser.get("/oauth/authorize", authorization_params(issued))
    approval = {name: value for name, value in page.context["form"].initial.items() if value}

    refused = browser.post("/oauth/authorize", approval)

    query = parse_qs(urlsplit(refused["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["state-1"]
