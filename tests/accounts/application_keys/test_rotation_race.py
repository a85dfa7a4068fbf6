"""Rotations at the same moment: one key stays live, and nobody gets a 500."""

import pytest

from accounts.models import ApplicationKey
from accounts.services import IssuedApplicationKey, application_key_create, application_key_rotate
from csa.errors import ConflictError
from tests.factories import UserFactory
from tests.threads import all_at_once, races_need_postgresql

pytestmark = [pytest.mark.django_db(transaction=True), races_need_postgresql]

ROTATIONS = 4


def test_concurrent_rotations_leave_exactly_one_live_key():
    owner = UserFactory()
    application_key_create(owner=owner)

    outcomes = all_at_once(lambda: application_key_rotate(owner=owner), ROTATIONS)

    issued = [outcome for outcome in outcomes if isinstance(outcome, IssuedApplicationKey)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ConflictError)]
    assert issued and len(issued) + len(refused) == ROTATIONS, outcomes
    [live] = ApplicationKey.objects.filter(owner=owner, revoked_at__isnull=True)
    newest = max(issued, key=lambda outcome: outcome.record.created_at)
    assert live.pk == newest.record.pk and live.is_active
    assert ApplicationKey.objects.filter(owner=owner).count() == 1 + len(issued)


def test_concurrent_creations_make_one_key():
    owner = UserFactory()

    outcomes = all_at_once(lambda: application_key_create(owner=owner), ROTATIONS)

    assert sum(isinstance(outcome, IssuedApplicationKey) for outcome in outcomes) == 1, outcomes
    assert ApplicationKey.objects.filter(owner=owner).count() == 1
