"""Keys of the `user` fixture, and clients that send them."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import IssuedApplicationKey, application_key_create


@pytest.fixture
def key_client() -> Callable[[str], APIClient]:
    """An API client that sends `Authorization: Bearer <key>`."""

    def make(key: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


@pytest.fixture
def issue() -> Callable[..., IssuedApplicationKey]:
    def make(owner: User, *, can_write: bool = False) -> IssuedApplicationKey:
        return application_key_create(owner=owner, can_write=can_write)

    return make


@pytest.fixture
def read_key(user, issue) -> IssuedApplicationKey:
    return issue(user)
