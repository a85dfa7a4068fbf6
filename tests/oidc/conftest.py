"""A customer's OAuth client, and a customer who signs in to authorize it."""

from collections.abc import Callable

import pytest

from accounts.models import User
from oidc.services import IssuedClientSecret, client_create
from tests.factories import UserFactory

REDIRECT_URI = "https://rp.example.com/callback"
EVERY_GRANT = ["authorization_code", "refresh_token", "client_credentials"]
EVERY_SCOPE = ["openid", "profile", "email"]


@pytest.fixture
def developer(db) -> User:
    return UserFactory(email="developer@example.com")


@pytest.fixture
def customer(db) -> User:
    return UserFactory(email="customer@example.com", full_name="张三")


@pytest.fixture
def make_client(developer) -> Callable[..., IssuedClientSecret]:
    def make(**fields) -> IssuedClientSecret:
        return client_create(
            **{
                "owner": developer,
                "name": "示例应用",
                "redirect_uris": [REDIRECT_URI],
                "grant_types": EVERY_GRANT,
                "scopes": EVERY_SCOPE,
                **fields,
            }
        )

    return make


@pytest.fixture
def issued(make_client) -> IssuedClientSecret:
    return make_client()
