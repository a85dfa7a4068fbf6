"""An authenticator, and one registered to the `user` fixture."""

import pytest

from accounts.models import PasskeyCredential
from tests.accounts.passkeys.authenticator import SoftwareAuthenticator
from tests.accounts.passkeys.helpers import register


@pytest.fixture
def authenticator() -> SoftwareAuthenticator:
    return SoftwareAuthenticator()


@pytest.fixture
def passkey(auth_client, authenticator) -> PasskeyCredential:
    """`authenticator`, registered by `user` through the API."""
    response = register(auth_client, authenticator)
    assert response.status_code == 200, response.content
    return PasskeyCredential.objects.get(pk=response.json()["credential"]["id"])
