"""The OpenAPI schema and the Swagger UI, served without any CDN."""

import pytest

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


@pytest.fixture
def schema(api_client) -> dict:
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


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
    assert "/api/schema/" in body
    assert "cdn.jsdelivr" not in body
    assert "unpkg" not in body
    assert "cdnjs" not in body


def test_private_routes_document_the_bearer_scheme(schema):
    scheme = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/auth/token"
    for path, method in [
        ("/api/auth/me", "get"),
        ("/api/users/me", "patch"),
        ("/api/users/me/change-password", "post"),
    ]:
        assert {"OAuth2PasswordBearer": []} in schema["paths"][path][method]["security"]


def test_public_routes_need_no_credentials(schema):
    for path in ["/api/auth/send-code", "/api/auth/register", "/api/auth/login"]:
        assert schema["paths"][path]["post"].get("security") in (None, [], [{}])
