"""Redis down: what costs money refuses clearly, everything else goes on without the cache."""

import pytest
from django.core import mail
from django.db import OperationalError

from accounts.models import VerificationCode
from csa.api.exceptions import portal_exception_handler
from csa.envelope.exceptions import envelope_exception_handler
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.tickets.test_tickets_api import NEW_TICKET

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_down")]

CODES_UNAVAILABLE = "验证码服务暂不可用，请稍后再试"
UNAVAILABLE = "服务暂不可用，请稍后再试"


def test_portal_send_code_is_a_clear_503_and_sends_nothing(api_client):
    response = api_client.post("/api/auth/send-code", {"email": "a@example.com"}, format="json")

    assert response.status_code == 503
    assert response.json() == {"detail": CODES_UNAVAILABLE}
    assert mail.outbox == []
    assert not VerificationCode.objects.exists()


def test_rewriting_otp_is_a_clear_503_in_the_envelope(api_client):
    response = api_client.post("/otp", {"phone": "+8613900139000"}, format="json")

    assert response.status_code == 503
    body = response.json()
    assert (body["code"], body["message"], body["data"]) == (503, CODES_UNAVAILABLE, None)
    assert not VerificationCode.objects.exists()


@pytest.mark.parametrize(("password", "status"), [(DEFAULT_PASSWORD, 200), ("wrong-one", 401)])
def test_portal_login_goes_on_without_throttle_or_failure_count(api_client, password, status):
    UserFactory(email="alice@example.com")

    response = api_client.post(
        "/api/auth/login", {"email": "alice@example.com", "password": password}, format="json"
    )

    assert response.status_code == status


def test_rewriting_login_goes_on(api_client):
    UserFactory(username="alice")

    response = api_client.post(
        "/user/login", {"username": "alice", "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["data"]["session"]["access_token"]


def test_signed_in_routes_go_on(auth_client):
    assert auth_client.get("/api/auth/me").status_code == 200
    assert auth_client.post("/api/tickets", NEW_TICKET, format="json").status_code == 201
    assert auth_client.get("/points/balance").status_code == 200


# --- the database: a restart's errors are a 503 to retry, in each API's shape ------------


def test_a_database_outage_is_a_503_for_the_portal():
    response = portal_exception_handler(OperationalError("server closed the connection"), {})

    assert (response.status_code, response.data) == (503, {"detail": UNAVAILABLE})


def test_a_database_outage_is_a_503_in_the_envelope():
    response = envelope_exception_handler(OperationalError("terminating connection"), {})

    assert response.status_code == 503
    assert response.message == UNAVAILABLE


@pytest.mark.parametrize("path", ["/api/auth/send-code", "/otp"])
def test_the_schema_documents_the_503_of_code_sending(api_client, path):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    assert "503" in schema["paths"][path]["post"]["responses"]
