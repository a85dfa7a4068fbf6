"""factory_boy factories for the accounts models."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import LoginSession, User

DEFAULT_PASSWORD = "password123"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    # Most tests' users are portal customers, whose address a code has proven; the rewriting
    # sign-up's unproven ones say `email_verified_at=None`.
    email_verified_at = factory.LazyFunction(timezone.now)
    # Hashed with the project's first PASSWORD_HASHERS entry (argon2id), like set_password.
    password = factory.django.Password(DEFAULT_PASSWORD)


class LoginSessionFactory(factory.django.DjangoModelFactory[LoginSession]):
    class Meta:
        model = LoginSession

    user = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=30))
