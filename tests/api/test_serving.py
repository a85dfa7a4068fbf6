"""What production serving adds to every request: a request id, one JSON log line, CORS for the
configured browser origins, and static files served by the app."""

import json
import logging
import re

import pytest
from django.test import Client

from csa.request_log import JsonFormatter, RequestIdFilter
from tests.rewriting_accounts.helpers import bearer

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
BROWSER_ORIGIN = "https://rewriting.example.com"


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger="csa.request")

    def lines() -> list[logging.LogRecord]:
        return [record for record in caplog.records if record.name == "csa.request"]

    return lines


def test_every_answer_carries_a_new_request_id(api_client, db):
    first = api_client.get("/api/health")
    second = api_client.get("/api/health")

    assert GENERATED_ID.fullmatch(first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_load_balancers_request_id_is_kept(api_client, db):
    response = api_client.get("/api/health", HTTP_X_REQUEST_ID="lb-4f2a.9:1")

    assert response["X-Request-ID"] == "lb-4f2a.9:1"


@pytest.mark.parametrize("given", ["has space", "x" * 129, "<script>", "换行\n"])
def test_a_request_id_that_looks_like_none_is_replaced(api_client, db, given):
    response = api_client.get("/api/health", HTTP_X_REQUEST_ID=given)

    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_one_log_line_per_request_names_request_status_and_user(
    api_client, user, make_token, request_log
):
    response = api_client.get("/points/balance", **bearer(make_token(user)))

    [line] = request_log()
    assert line.request_id == response["X-Request-ID"]
    assert line.http["method"] == "GET"
    assert line.http["path"] == "/points/balance"
    assert line.http["status"] == 200
    assert line.http["user_id"] == user.pk
    assert line.http["duration_ms"] >= 0


def test_a_signed_link_in_the_path_is_not_logged(api_client, db, request_log):
    token = "InNvbWUta2V5Ig:1xUlEs:AhYxjneUIoJFTRvLjjbWbczwBIf7ZrZBwRRXjGkrEE0"

    api_client.get(f"/rewriting/snapshots/{token}")

    [line] = request_log()
    assert line.http["status"] == 403
    assert token not in line.http["path"]
    assert line.http["path"] == "/rewriting/snapshots/[redacted]"


def test_a_log_record_is_one_line_of_json_with_the_request_id():
    record = logging.LogRecord("csa.test", logging.WARNING, __file__, 1, "付款 %s", ("失败",), None)
    record.http = {"status": 500}
    RequestIdFilter().filter(record)

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "付款 失败"
    assert (entry["level"], entry["logger"], entry["request_id"]) == ("WARNING", "csa.test", "-")
    assert entry["status"] == 500


def test_a_configured_browser_origin_may_call_with_credentials(api_client, settings, db):
    settings.CORS_ALLOWED_ORIGINS = [BROWSER_ORIGIN]

    preflight = api_client.options(
        "/user/logout",
        HTTP_ORIGIN=BROWSER_ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, refresh_token",
    )

    assert preflight["Access-Control-Allow-Origin"] == BROWSER_ORIGIN
    assert preflight["Access-Control-Allow-Credentials"] == "true"
    allowed = preflight["Access-Control-Allow-Headers"].split(", ")
    assert {"authorization", "content-type", "refresh_token"} <= set(allowed)


def test_answers_to_a_configured_origin_expose_the_request_id(api_client, settings, db):
    settings.CORS_ALLOWED_ORIGINS = [BROWSER_ORIGIN]

    response = api_client.get("/api/health", HTTP_ORIGIN=BROWSER_ORIGIN)

    assert response["Access-Control-Allow-Origin"] == BROWSER_ORIGIN
    assert "X-Request-ID" in response["Access-Control-Expose-Headers"]


def test_another_origin_gets_no_cors_grant(api_client, settings, db):
    settings.CORS_ALLOWED_ORIGINS = [BROWSER_ORIGIN]

    response = api_client.get("/api/health", HTTP_ORIGIN="https://evil.example.com")

    assert "Access-Control-Allow-Origin" not in response


def test_static_files_are_served_by_the_app(settings):
    settings.WHITENOISE_USE_FINDERS = True  # no collectstatic in tests; production has one

    response = Client().get("/static/admin/css/base.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
