"""The code flow through Django's test client: a signed-in browser, and a client at /oauth/token."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

from django.test import Client as Browser

from oidc.services import IssuedClientSecret
from tests.oidc.conftest import REDIRECT_URI

CODE_VERIFIER = "a-code-verifier-of-at-least-forty-three-characters-long"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorization_params(issued: IssuedClientSecret, **overrides) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": issued.client.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email",
        "state": "state-1",
        "nonce": "nonce-1",
        "code_challenge": s256(CODE_VERIFIER),
        "code_challenge_method": "S256",
        **overrides,
    }
    return {name: value for name, value in params.items() if value is not None}


def browser_of(user) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def approved_code(browser: Browser, params: dict[str, str]) -> str:
    page = browser.get("/oauth/authorize", params)
    assert page.status_code == 200, page.content.decode()
    approval = {name: value for name, value in page.context["form"].initial.items() if value}
    approved = browser.post("/oauth/authorize", {**approval, "allow": "on"})
    assert approved.status_code == 302
    return parse_qs(urlsplit(approved["Location"]).query)["code"][0]


def basic(issued: IssuedClientSecret, secret: str | None = None) -> dict[str, str]:
    pair = f"{issued.client.client_id}:{secret or issued.client_secret}".encode()
    return {"HTTP_AUTHORIZATION": f"Basic {base64.b64encode(pair).decode()}"}


def token_response(issued: IssuedClientSecret, secret: str | None = None, **form: str):
    return Browser().post("/oauth/token", form, **basic(issued, secret))


def tokens_for(user, issued: IssuedClientSecret, **overrides) -> dict:
    code = approved_code(browser_of(user), authorization_params(issued, **overrides))
    response = token_response(
        issued,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier=CODE_VERIFIER,
    )
    assert response.status_code == 200, response.content.decode()
    return response.json()


def userinfo(access_token: str):
    return Browser().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {access_token}")
