"""Argon2id at m=19456, t=2, p=1, and the upgrade of hashes made with other parameters."""

import argon2
import pytest
from django.contrib.auth.hashers import (
    PBKDF2PasswordHasher,
    check_password,
    identify_hasher,
    make_password,
)

from accounts.hashers import Argon2idPasswordHasher
from accounts.models import User
from tests.accounts.helpers import login
from tests.factories import DEFAULT_PASSWORD, UserFactory

PARAMS = "m=19456,t=2,p=1"


def user_with_hash(encoded: str) -> User:
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(password=encoded)
    user.refresh_from_db()
    assert user.password == encoded
    return user


def test_hasher_makes_argon2id_at_the_owasp_profile():
    encoded = Argon2idPasswordHasher().encode("secret-password", Argon2idPasswordHasher().salt())

    assert encoded.startswith("argon2$argon2id$v=19$" + PARAMS + "$")
    assert Argon2idPasswordHasher().verify("secret-password", encoded)
    assert not Argon2idPasswordHasher().verify("other-password", encoded)


def test_make_password_uses_the_project_hasher():
    encoded = make_password("secret-password")

    assert isinstance(identify_hasher(encoded), Argon2idPasswordHasher)
    assert encoded.startswith("argon2$argon2id$")
    assert PARAMS in encoded
    assert check_password("secret-password", encoded)


def test_hasher_wants_to_upgrade_django_default_parameters():
    old = "argon2" + argon2.PasswordHasher(memory_cost=102400, parallelism=8).hash("pw")

    assert Argon2idPasswordHasher().must_update(old)
    assert not Argon2idPasswordHasher().must_update(make_password("pw"))


@pytest.mark.django_db
def test_old_argon2_hash_logs_in_and_is_upgraded(api_client):
    old = "argon2" + argon2.PasswordHasher(time_cost=2, memory_cost=102400, parallelism=8).hash(
        DEFAULT_PASSWORD
    )
    assert "m=102400,t=2,p=8" in old
    user = user_with_hash(old)

    response = login(api_client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert PARAMS in user.password
    assert user.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_old_hash_is_not_upgraded_by_a_wrong_password(api_client):
    old = "argon2" + argon2.PasswordHasher(memory_cost=102400, parallelism=8).hash(DEFAULT_PASSWORD)
    user = user_with_hash(old)

    assert login(api_client, user.email, "wrong-password").status_code == 401

    user.refresh_from_db()
    assert user.password == old


@pytest.mark.django_db
def test_pbkdf2_hash_logs_in_and_is_upgraded_to_argon2id(api_client):
    old = PBKDF2PasswordHasher().encode(DEFAULT_PASSWORD, PBKDF2PasswordHasher().salt())
    user = user_with_hash(old)

    assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 200

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert PARAMS in user.password
