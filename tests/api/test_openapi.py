"""The OpenAPI schema and the Swagger UI, served without any CDN."""

import re
import uuid
from collections.abc import Callable, Iterator

import pytest

from accounts.services import user_active_set
from tests.accounts.business_factories import BusinessAccountFactory

pytestmark = pytest.mark.django_db

ACCOUNT_OPERATIONS = {
    "/api/auth/send-code": {"post"},
    "/api/auth/register": {"post"},
    "/api/auth/login": {"post"},
    "/api/auth/token": {"post"},
    "/api/auth/me": {"get"},
    "/api/users/me": {"get", "patch"},
    "/api/users/me/change-password": {"post"},
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def test_schema_is_served(api_client):
    response = api_client.get("/api/schema/")

    assert response.status_code == 200
    assert b"openapi:" in response.content


def test_schema_as_json_by_accept_header(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.parametrize(("path", "methods"), ACCOUNT_OPERATIONS.items())
def test_schema_lists_the_account_routes(schema, path, methods):
    assert path in schema["paths"]
    assert set(schema["paths"][path]) & HTTP_METHODS == methods


def test_schema_has_root_and_health_but_not_the_catch_all(schema):
    assert set(schema["paths"]["/api/"]) & HTTP_METHODS == {"get"}
    assert set(schema["paths"]["/api/health"]) & HTTP_METHODS == {"get"}
    assert not any(".*" in path for path in schema["paths"])


def test_token_route_documents_a_form_body(schema):
    content = schema["paths"]["/api/auth/token"]["post"]["requestBody"]["content"]

    assert "application/x-www-form-urlencoded" in content


def test_documented_error_responses(schema):
    paths = schema["paths"]
    assert {"422", "429", "500"} <= set(paths["/api/auth/send-code"]["post"]["responses"])
    assert {"201", "400", "422"} <= set(paths["/api/auth/register"]["post"]["responses"])
    assert {"200", "401", "403"} <= set(paths["/api/auth/login"]["post"]["responses"])
    assert {"200", "401", "403"} <= set(paths["/api/auth/me"]["get"]["responses"])
    assert {"400", "401", "422"} <= set(paths["/api/users/me"]["patch"]["responses"])


def test_docs_page_uses_no_cdn(api_client):
    response = api_client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "swagger-ui" in body
    assert "cdn.jsdelivr" not in body
    assert "unpkg" not in body
    assert "cdnjs" not in body


def test_docs_page_has_no_inline_script_and_its_own_script_loads_the_schema(api_client):
    page = api_client.get("/api/docs/").content.decode()
    script = api_client.get("/api/docs/?script=")

    assert "<script>" not in page  # the Content-Security-Policy allows scripts from files only
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


def test_private_routes_document_the_bearer_scheme(schema):
    scheme = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/auth/token"
    for path, method in [
        ("/api/auth/me", "get"),
        ("/api/users/me", "patch"),
        ("/api/users/me/change-password", "post"),
    ]:
        assert {"OAuth2PasswordBearer": []} in schema["paths"][path][method]["security"]


def test_a_developer_can_paste_a_token_instead(schema):
    assert schema["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": (
            "登录得到的 access_token（门户 /api/auth/login，降重服务 /user/login）；"
            "门户的接口（/api/…）也接受应用密钥 sk-…"
        ),
    }
    security = schema["paths"]["/points/balance"]["get"]["security"]
    assert {"BearerToken": []} in security and {"OAuth2PasswordBearer": []} in security


def test_the_routes_are_tagged_by_module_each_tag_described(schema):
    operations = [op for path in schema["paths"].values() for op in path.values()]
    tags = {tag for op in operations for tag in op.get("tags", [])}
    assert {"auth", "tickets", "projects", "contracts", "user", "ai", "rewrite"} <= tags
    assert "api" not in tags
    assert tags <= {tag["name"] for tag in schema["tags"]}


def test_public_routes_need_no_credentials(schema):
    for path in ["/api/auth/send-code", "/api/auth/register", "/api/auth/login"]:
        assert schema["paths"][path]["post"].get("security") in (None, [], [{}])


Operation = tuple[str, str, dict]


def operations(schema: dict, wanted: Callable[[str, dict], bool]) -> Iterator[Operation]:
    """(method, path, operation) of every documented operation `wanted(path, operation)` picks."""
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS and wanted(path, operation):
                yield method, path, operation


def concrete(path: str) -> str:
    """The path with a fresh UUID for each parameter; these checks answer before any lookup."""
    return re.sub(r"\{\w+\}", lambda _: str(uuid.uuid4()), path)


def test_every_route_reading_a_token_documents_the_403_of_a_disabled_account(
    schema, api_client, user, make_token
):
    # Found by the fuzz run: nine routes of both APIs answered it without documenting it.
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")
    user_active_set(user=user, is_active=False)

    answers = {
        f"{method.upper()} {path}": (
            api_client.generic(method.upper(), concrete(path)).status_code,
            "403" in operation["responses"],
        )
        for method, path, operation in operations(schema, lambda _, op: op["security"] != [{}])
    }

    assert len(answers) > 30
    assert {label: answer for label, answer in answers.items() if answer != (403, True)} == {}


def test_every_portal_route_reading_a_body_documents_the_415_of_another_type(
    schema, auth_client, user
):
    # Found by the fuzz run: a body neither JSON nor a form is 415 wherever the portal reads one,
    # and no route documented it.
    BusinessAccountFactory(owner=user)  # PATCH .../me looks it up before reading the body
    answers = {
        f"{method.upper()} {path}": (
            auth_client.generic(
                method.upper(), concrete(path), "x=1", content_type="text/plain"
            ).status_code,
            "415" in operation["responses"],
        )
        for method, path, operation in operations(
            schema, lambda path, op: path.startswith("/api/") and "requestBody" in op
        )
    }

    assert len(answers) == 29  # the passkey routes read four of them, OAuth client creation one
    assert {label: answer for label, answer in answers.items() if answer != (415, True)} == {}


REWRITING_USER_OBJECTS = [
    "RegisteredUser",
    "SessionUser",
    "ListedUser",
    "RoleChangedUser",
    "RateChangedUser",
    "ChangedUser",
]


@pytest.mark.parametrize("component", REWRITING_USER_OBJECTS)
def test_every_rewriting_user_object_documents_its_rate(schema, component):
    assert schema["components"]["schemas"][component]["properties"]["rate"]["type"] == "number"


@pytest.mark.parametrize("path", ["/user/update-rate", "/user/update-points"])
def test_the_admins_changes_are_documented_with_their_refusals(schema, path):
    operation = schema["paths"][path]["post"]

    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    assert "Admins only" in operation["description"]


def test_the_user_list_documents_its_filters_and_defaults(schema):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/user/list"]["get"]["parameters"]
    }

    assert {"page", "limit", "keyword", "phone", "username"} <= set(parameters)
    assert (parameters["page"]["default"], parameters["limit"]["default"]) == (1, 10)


@pytest.mark.parametrize("path", ["/alipay/pay", "/alipay/pay-for-downline"])
def test_alipay_pay_documents_its_html_page_and_its_enveloped_refusals(schema, path):
    operation = schema["paths"][path]["post"]

    assert "text/html" in operation["responses"]["200"]["content"]
    assert {"400", "401", "403", "500"} <= set(operation["responses"])
    fields = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][fields.rsplit("/", 1)[-1]]
    assert {"total_amount", "subject", "return_url", "device"} <= set(body["properties"])


def test_wechat_pay_and_the_orders_are_documented(schema):
    native = schema["paths"]["/wechatpay/native"]["post"]["responses"]
    assert {"200", "400", "403", "404", "500", "503"} <= set(native)
    assert "get" in schema["paths"]["/points/orders"]
    assert "get" in schema["paths"]["/points/orders/{out_trade_no}"]


def test_the_gateways_callbacks_are_not_api_routes(schema):
    assert not {"/alipay/notify", "/wechatpay/notify", "/alipay/return"} & set(schema["paths"])


def test_a_ticket_message_documents_its_json_and_multipart_bodies(schema):
    operation = schema["paths"]["/api/tickets/{ticket_id}/messages"]["post"]
    content = operation["requestBody"]["content"]

    assert set(content) == {"application/json", "multipart/form-data"}
    form = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    attachments = schema["components"]["schemas"][form]["properties"]["attachments"]
    assert attachments["items"] == {"type": "string", "format": "binary"}
    assert {"201", "400", "403", "404", "413", "422", "429"} <= set(operation["responses"])


def test_the_ticket_list_documents_its_state_filter(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/tickets"]["get"]["parameters"]}

    assert sorted(parameters["state_filter"]["schema"]["enum"]) == ["closed", "open"]
