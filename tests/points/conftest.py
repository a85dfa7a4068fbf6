"""Users of the points tests: a customer, an admin and an agent, as the rewriting API knows them."""

import pytest

from accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def member(db) -> User:
    return UserFactory(username="alice", email="alice@example.com", phone="+8613800138000")


@pytest.fixture
def other(db) -> User:
    """Another customer, whose records `member` must never reach."""
    return UserFactory(username="mallory", email="mallory@example.com")
