"""Bodies built to break the parser: nested past the recursion limit, past Django's size limit,
with more fields than Django allows. Each is a 4xx in its API's shape and at most a warning."""

import logging

import pytest
from django.conf import settings

from points.models import PointsTransaction
from tests.points.helpers import failed_spend, recharge

pytestmark = pytest.mark.django_db

DEEP_JSON = "[" * 100_000 + "]" * 100_000
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def too_big_json() -> str:
    return '{"email": "' + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"}'


def too_big_form() -> str:
    return "username=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_many_fields() -> str:
    return "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))


PORTAL_CASES = [
    ("/api/auth/login", DEEP_JSON, JSON, 422, "请求体格式错误，应为 JSON"),
    ("/api/auth/login", too_big_json(), JSON, 413, "请求体过大"),
    ("/api/auth/login", too_big_form(), FORM, 413, "请求体过大"),
    ("/api/auth/login", too_many_fields(), FORM, 422, "请求字段过多"),
    ("/api/auth/token", too_many_fields(), FORM, 422, "请求字段过多"),
    ("/api/auth/token", too_big_form(), FORM, 413, "请求体过大"),
]


@pytest.fixture
def no_errors_logged(caplog):
    caplog.set_level(logging.WARNING)
    yield
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == []


@pytest.mark.parametrize(("path", "body", "content_type", "status", "detail"), PORTAL_CASES)
def test_the_portal_answers_a_broken_body_in_its_shape(
    api_client, no_errors_logged, path, body, content_type, status, detail
):
    response = api_client.post(path, body, content_type=content_type)

    assert response.status_code == status
    assert response.json() == {"detail": detail}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (DEEP_JSON, JSON, 400, "请求体格式错误，应为 JSON"),
        (too_big_json(), JSON, 413, "请求体过大"),
    ],
)
@pytest.mark.parametrize("path", ["/user/login", "/points/refund", "/ai/reduce-task"])
def test_the_rewriting_api_answers_a_broken_body_in_the_envelope(
    auth_client, no_errors_logged, path, body, content_type, status, message
):
    response = auth_client.post(path, body, content_type=content_type)

    assert response.status_code == status
    assert response.json()["code"] == status
    assert response.json()["message"] == message
    assert response.json()["data"] is None


def test_a_refund_with_a_broken_body_refunds_nothing_and_says_why(auth_client, user):
    recharge(user, "10")
    spend = failed_spend(user, "3")

    response = auth_client.post("/points/refund", DEEP_JSON, content_type=JSON)

    assert response.json()["message"] == "请求体格式错误，应为 JSON"
    assert not PointsTransaction.objects.filter(refund_of=spend).exists()
