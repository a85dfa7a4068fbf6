"""Schemathesis against the one OpenAPI schema of both APIs, in process, on the suite's database.

Every operation is fuzzed as a customer; the operations whose answer depends on the role again as
the admin (and the agent, for their downline). Explicit examples point at the seeded records
(tests/fuzz/seeds.py), so each operation also meets real rows, not only random ids. Any 5xx, an
answer outside its documented schema, an undocumented status or content type fails the test.

The app runs in process through its WSGI handler, which closes the database connection around each
request as in production; so the tests are transactional (the database is emptied after each)
rather than wrapped in one transaction. Each operation gets freshly seeded records, shared by its
examples (a DELETE may remove what later examples ask for: they then meet a 404).
"""

from typing import Any

import pytest
import schemathesis
from django.core import signing
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from csa.wsgi import application
from projects.storage import DOWNLOAD_LINK_SALT
from rewriting.snapshots import SNAPSHOT_LINK_SALT
from tests.factories import DEFAULT_PASSWORD
from tests.fuzz import seeds

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    # The seeded records are the operation's, shared by its examples on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

SCHEMA_PATH = "/api/schema/?format=json"
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application)
# For the runs beside the customer's: the coverage phase's hundreds of edge cases per operation
# add little where the customer's run already met them, and cost most of the time.
schema_without_coverage = schemathesis.openapi.from_wsgi(
    SCHEMA_PATH,
    application,
    config=schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}}),
)


def _at(**path_parameters: object) -> dict[str, Any]:
    """An example case at these path parameters."""
    return {"path_parameters": {name: str(value) for name, value in path_parameters.items()}}


def _json(body: dict, **path_parameters: object) -> dict[str, Any]:
    """An example case with this JSON body."""
    return {**_at(**path_parameters), "body": body, "media_type": "application/json"}


# Made at collection; a link lives an hour, far longer than the run.
FILE_LINK = signing.TimestampSigner(salt=DOWNLOAD_LINK_SALT).sign(str(seeds.FILE_ID))
SNAPSHOT_LINK = signing.dumps(seeds.SNAPSHOT_KEY, salt=SNAPSHOT_LINK_SALT)

EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "GET /api/tickets/{ticket_id}": [
        _at(ticket_id=seeds.TICKET_ID),
        _at(ticket_id=seeds.STRANGERS_TICKET_ID),
    ],
    "PUT /api/tickets/{ticket_id}": [
        _json({"title": "登录很慢", "content": "仍然很慢"}, ticket_id=seeds.TICKET_ID)
    ],
    "DELETE /api/tickets/{ticket_id}": [_at(ticket_id=seeds.TICKET_ID)],
    "GET /api/business-accounts/{account_id}": [_at(account_id=seeds.BUSINESS_ACCOUNT_ID)],
    "GET /api/contracts/{contract_id}": [_at(contract_id=seeds.CONTRACT_ID)],
    "PATCH /api/contracts/{contract_id}/sign-status": [
        _json({"is_signed": True}, contract_id=seeds.CONTRACT_ID)
    ],
    "GET /api/projects/{project_id}": [_at(project_id=seeds.PROJECT_ID)],
    "GET /api/projects/{project_id}/files": [_at(project_id=seeds.PROJECT_ID)],
    "GET /api/projects/{project_id}/links": [_at(project_id=seeds.PROJECT_ID)],
    "GET /api/projects/{project_id}/tasks": [_at(project_id=seeds.PROJECT_ID)],
    "POST /api/projects/files/{file_id}/download-url": [_at(file_id=seeds.FILE_ID)],
    "GET /api/projects/files/download/{token}": [_at(token=FILE_LINK)],
    "GET /rewriting/snapshots/{token}": [_at(token=SNAPSHOT_LINK)],
    "POST /ai/reduce-task": [
        _json({"text": seeds.TASK_TEXT, "platform": "zhiwang", "type": "reduce-plagiarism"})
    ],
    "POST /ai/result": [
        _json({"taskId": seeds.PROCESSING_TASK_ID, "service": "reduceai"}),
        _json({"taskId": seeds.FAILED_TASK_ID, "service": "reduceai"}),
    ],
    "POST /points/refund": [_json({"transaction_id": seeds.FAILED_SPEND_ID})],
    "POST /user/refresh": [_json({"refresh_token": seeds.REFRESH_TOKEN})],
    "GET /points/orders/{out_trade_no}": [
        _at(out_trade_no=seeds.ORDER_NO),
        _at(out_trade_no=seeds.STRANGERS_ORDER_NO),
    ],
    "POST /alipay/pay": [_json({"total_amount": 10, "device": "mobile"})],
    "POST /alipay/pay-for-downline": [
        _json({"total_amount": 10, "target_user_id": str(seeds.CUSTOMER_UUID)}),
    ],
    "POST /wechatpay/native": [
        _json({"total_amount": 10}),
        _json({"total_amount": 10, "target_user_id": str(seeds.CUSTOMER_UUID)}),
    ],
    "POST /user/login": [_json({"username": "fuzzer", "password": DEFAULT_PASSWORD})],
    "POST /user/update-role": [
        _json({"target_user_id": str(seeds.CUSTOMER_UUID), "role": "agent"}),
        _json({"target_user_id": str(seeds.ADMIN_UUID), "role": "user"}),
    ],
    "POST /user/update-rate": [
        _json({"target_user_id": str(seeds.CUSTOMER_UUID), "rate": 2.125}),
    ],
    "POST /user/update-points": [
        _json({"target_user_id": str(seeds.CUSTOMER_UUID), "amount": 12.5}),
        _json({"target_user_id": str(seeds.CUSTOMER_UUID), "amount": -1_000_000}),
    ],
}


def before_add_examples(context, examples: list) -> None:
    for example in EXAMPLES.get(context.operation.label, []):
        examples.append(context.operation.Case(**example))


for loaded in (schema, schema_without_coverage):
    loaded.hook(before_add_examples)


def _call(case, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@FUZZ_SETTINGS
def test_as_customer(case, seeded, make_token):
    _call(case, make_token(seeded.customer))


# What only the admin and agents get past the role check for; a customer is refused them.
ROLE_ROUTES = (
    r"^/user/(list|update-role|update-rate|update-points)$|^/points/recharges$"
    r"|^/alipay/pay-for-downline$|^/wechatpay/native$"
)


@pytest.mark.django_db(transaction=True)
@schema.include(path_regex=ROLE_ROUTES).parametrize()
@FUZZ_SETTINGS
def test_role_routes_as_admin(case, seeded, make_token):
    _call(case, make_token(seeded.admin))


@pytest.mark.django_db(transaction=True)
@schema_without_coverage.include(
    path_regex=r"^/user/list$|^/points/recharges$|^/alipay/pay-for-downline$"
).parametrize()
@FUZZ_SETTINGS
def test_role_routes_as_agent(case, seeded, make_token):
    """An agent lists their downline: the customer is the agent's invitee."""
    _call(case, make_token(seeded.agent))


@pytest.mark.django_db(transaction=True)
@schema_without_coverage.include(path_regex=r"\{").parametrize()
@FUZZ_SETTINGS
def test_records_as_admin(case, seeded, make_token):
    """The admin reads anyone's records: the examples name the customer's and a stranger's."""
    _call(case, make_token(seeded.admin))
