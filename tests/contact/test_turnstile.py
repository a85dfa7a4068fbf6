"""The Turnstile client against real local servers: Cloudflare's verdicts and its outages."""

import logging

import pytest
import requests

from contact.turnstile import (
    CLOUDFLARE_SITEVERIFY,
    VERIFICATION_FAILED,
    VERIFIER_UNAVAILABLE,
    turnstile_verify,
)
from csa.errors import ApplicationError, ServiceUnavailableError
from tests.contact.siteverify import FAILING_SECRET, PASSING_SECRET, SPENT_SECRET
from tests.http_servers import UpstreamHandler, closed_port_url, http_server, silent_server

DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX"


def verify(token: str = DUMMY_TOKEN, remote_ip: str = "203.0.113.7") -> None:
    turnstile_verify(token=token, remote_ip=remote_ip)


def refused() -> ApplicationError:
    with pytest.raises(ApplicationError) as refusal:
        verify()
    assert refusal.value.status_code == 400
    assert refusal.value.message == VERIFICATION_FAILED
    return refusal.value


def unavailable() -> ServiceUnavailableError:
    with pytest.raises(ServiceUnavailableError) as outage:
        verify()
    assert outage.value.status_code == 503
    assert outage.value.message == VERIFIER_UNAVAILABLE
    return outage.value


def test_a_passing_token_sends_secret_token_and_address_as_a_form(siteverify):
    verify(token="token-1", remote_ip="203.0.113.7")

    assert siteverify.received == [
        {"secret": PASSING_SECRET, "response": "token-1", "remoteip": "203.0.113.7"}
    ]


def test_without_a_client_address_remoteip_is_left_out(siteverify):
    verify(token="token-1", remote_ip="")

    assert siteverify.received == [{"secret": PASSING_SECRET, "response": "token-1"}]


def test_a_spent_token_is_refused(siteverify):
    verify(token="token-1")

    with pytest.raises(ApplicationError, match=VERIFICATION_FAILED):
        verify(token="token-1")


@pytest.mark.parametrize("secret", [FAILING_SECRET, SPENT_SECRET])
def test_cloudflare_test_secrets_that_refuse(siteverify, settings, secret):
    settings.TURNSTILE_SECRET_KEY = secret

    refused()


def test_an_overlong_token_is_refused_without_asking(siteverify):
    with pytest.raises(ApplicationError, match=VERIFICATION_FAILED):
        verify(token="x" * 2049)

    assert siteverify.received == []


def test_a_token_of_the_maximum_length_is_asked_about(siteverify):
    verify(token="x" * 2048)

    assert len(siteverify.received) == 1


def test_a_wrong_secret_is_our_fault_not_the_visitors(siteverify, settings, caplog):
    settings.TURNSTILE_SECRET_KEY = "0x4AAAAAAA-wrong-secret"

    with caplog.at_level(logging.ERROR, logger="contact.turnstile"):
        unavailable()

    assert "invalid-input-secret" in caplog.text


def test_logs_name_the_error_codes_but_never_the_token_or_secret(siteverify, settings, caplog):
    settings.TURNSTILE_SECRET_KEY = FAILING_SECRET

    with (
        caplog.at_level(logging.INFO, logger="contact.turnstile"),
        pytest.raises(ApplicationError),
    ):
        verify(token="secret-token-value")

    assert "invalid-input-response" in caplog.text
    assert "secret-token-value" not in caplog.text
    assert FAILING_SECRET not in caplog.text


# --- Cloudflare's test secrets, answered here while the URL is Cloudflare's own ----------------


@pytest.fixture
def cloudflare_url(settings) -> None:
    """The default verify URL: Cloudflare's, which this machine cannot reach."""
    settings.TURNSTILE_VERIFY_URL = CLOUDFLARE_SITEVERIFY


def test_the_always_passing_test_secret_passes_offline(cloudflare_url, settings):
    settings.TURNSTILE_SECRET_KEY = PASSING_SECRET

    verify()
    verify()  # "always": the dummy token is never spent


@pytest.mark.parametrize(
    ("secret", "error_code"),
    [(FAILING_SECRET, "invalid-input-response"), (SPENT_SECRET, "timeout-or-duplicate")],
)
def test_the_refusing_test_secrets_refuse_offline_as_cloudflare_documents(
    cloudflare_url, settings, caplog, secret, error_code
):
    settings.TURNSTILE_SECRET_KEY = secret

    with caplog.at_level(logging.INFO, logger="contact.turnstile"):
        refused()

    assert error_code in caplog.text


def test_an_empty_token_is_refused_offline_too(cloudflare_url, settings):
    settings.TURNSTILE_SECRET_KEY = PASSING_SECRET

    with pytest.raises(ApplicationError, match=VERIFICATION_FAILED):
        verify(token="")


def test_a_real_secret_still_asks_cloudflare(cloudflare_url, settings):
    settings.TURNSTILE_SECRET_KEY = "0x4AAAAAAA-a-real-secret"
    settings.TURNSTILE_TIMEOUT_SECONDS = 0.5

    unavailable()  # no internet here: Cloudflare was asked, and could not be reached


def test_a_turnstile_that_never_answers_is_503(settings):
    settings.TURNSTILE_TIMEOUT_SECONDS = 0.5
    with silent_server() as base_url:
        settings.TURNSTILE_VERIFY_URL = base_url

        unavailable()


def test_a_closed_port_is_503(settings):
    settings.TURNSTILE_VERIFY_URL = closed_port_url()

    unavailable()


class ServerError(UpstreamHandler):
    def do_POST(self) -> None:
        self.send_json(500, {"success": False, "error-codes": ["internal-error"]})


class HtmlPage(UpstreamHandler):
    def do_POST(self) -> None:
        self.send_text(200, "<html>502 Bad Gateway</html>", content_type="text/html")


class JsonList(UpstreamHandler):
    def do_POST(self) -> None:
        self.send_json(200, ["success"])


class InternalError(UpstreamHandler):
    def do_POST(self) -> None:
        self.send_json(200, {"success": False, "error-codes": ["internal-error"]})


@pytest.mark.parametrize("handler", [ServerError, HtmlPage, JsonList, InternalError])
def test_a_broken_answer_is_503(settings, handler):
    with http_server(handler) as base_url:
        settings.TURNSTILE_VERIFY_URL = base_url

        unavailable()


# --- the fake itself, as later tests rely on it speaking Cloudflare's protocol -----------


def test_the_fake_reads_json_bodies_and_names_a_missing_token(siteverify, settings):
    url = settings.TURNSTILE_VERIFY_URL

    passed = requests.post(url, json={"secret": PASSING_SECRET, "response": "t"}, timeout=5)
    missing = requests.post(url, json={"secret": PASSING_SECRET}, timeout=5)

    assert passed.json()["success"] is True
    assert missing.json() == {"success": False, "error-codes": ["missing-input-response"]}
    assert siteverify.received == [
        {"secret": PASSING_SECRET, "response": "t"},
        {"secret": PASSING_SECRET},
    ]
