"""One answer sent many times at once signs in once: of the concurrent attempts to take its
challenge out of the shared cache, one wins."""

import pytest
from rest_framework.test import APIClient

from accounts.services.passkeys import _challenge_consume, _challenge_keep
from tests.accounts.passkeys.helpers import AUTHENTICATE, assertion
from tests.threads import all_at_once, races_need_postgresql

THREADS = 8


def test_a_challenge_is_taken_once_however_many_try_at_once():
    _challenge_keep("passkey:test:race")

    outcomes = all_at_once(lambda: _challenge_consume("passkey:test:race"), THREADS)

    assert sorted(outcomes) == [False] * (THREADS - 1) + [True]


@races_need_postgresql
@pytest.mark.django_db(transaction=True)
def test_one_assertion_sent_at_once_from_many_processes_signs_in_once(passkey, authenticator):
    answer = assertion(APIClient(), authenticator)

    statuses = all_at_once(
        lambda: APIClient().post(AUTHENTICATE, answer, format="json").status_code, THREADS
    )

    assert sorted(statuses) == [200] + [400] * (THREADS - 1)
