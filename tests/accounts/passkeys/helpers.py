"""The routes of passkeys, and the two ceremonies as a browser runs them."""

from rest_framework.test import APIClient

from tests.accounts.passkeys.authenticator import SoftwareAuthenticator

REGISTRATION_OPTIONS = "/api/passkey/registration-options"
REGISTER = "/api/passkey/register"
AUTHENTICATION_OPTIONS = "/api/passkey/authentication-options"
AUTHENTICATE = "/api/passkey/authenticate"
CREDENTIALS = "/api/passkey/credentials"
TOGGLE = "/api/passkey/toggle"


def credential_url(passkey_id: object, action: str = "") -> str:
    return f"{CREDENTIALS}/{passkey_id}" + (f"/{action}" if action else "")


def register(client: APIClient, authenticator: SoftwareAuthenticator, **extra):
    options = client.get(REGISTRATION_OPTIONS).json()
    body = {**authenticator.create(options), **extra}
    return client.post(REGISTER, body, format="json")


def assertion(client: APIClient, authenticator: SoftwareAuthenticator) -> dict:
    """A fresh challenge from the server, answered by the authenticator."""
    options = client.get(AUTHENTICATION_OPTIONS).json()
    return authenticator.get(options)


def sign_in(client: APIClient, authenticator: SoftwareAuthenticator, **changes):
    body = {**assertion(client, authenticator), **changes}
    return client.post(AUTHENTICATE, body, format="json")
