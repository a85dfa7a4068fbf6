"""The routes in the OpenAPI schema: under their own tag, each refusal documented."""

import pytest

pytestmark = pytest.mark.django_db

DOCUMENTED = {
    ("/api/application-key/create", "post"): {"200", "400", "401", "403", "422", "429"},
    ("/api/application-key/info", "get"): {"200", "401", "403", "404", "429"},
    ("/api/application-key/rotate", "post"): {"200", "401", "403", "404", "409", "429"},
    ("/api/application-key/status", "put"): {"200", "401", "403", "404", "422", "429"},
    ("/api/application-key/validate", "get"): {"200", "422", "429"},
}


@pytest.fixture
def schema(api_client) -> dict:
    return api_client.get("/api/schema/", {"format": "json"}).json()


@pytest.mark.parametrize(("route", "statuses"), DOCUMENTED.items())
def test_each_route_is_documented_under_its_tag(schema, route, statuses):
    path, method = route
    operation = schema["paths"][path][method]

    assert operation["tags"] == ["application-key"]
    assert statuses <= set(operation["responses"])
    assert operation["summary"]


def test_the_tag_is_described_as_the_portals(schema):
    [tag] = [tag for tag in schema["tags"] if tag["name"] == "application-key"]

    assert tag["description"].startswith("门户：")


def test_validate_needs_no_credentials_and_the_rest_a_token(schema):
    paths = schema["paths"]

    assert paths["/api/application-key/validate"]["get"].get("security") in (None, [], [{}])
    assert {"BearerToken": []} in paths["/api/application-key/info"]["get"]["security"]
    assert "sk-" in schema["components"]["securitySchemes"]["BearerToken"]["description"]
