"""The routes in the OpenAPI schema: under their own tag, each refusal documented."""

import pytest

from tests.openapi_checks import assert_documented_under

pytestmark = pytest.mark.django_db

DOCUMENTED = {
    ("/api/application-key/create", "post"): {"200", "400", "401", "403", "422", "429"},
    ("/api/application-key/info", "get"): {"200", "401", "403", "404", "429"},
    ("/api/application-key/rotate", "post"): {"200", "401", "403", "404", "409", "429"},
    ("/api/application-key/status", "put"): {"200", "401", "403", "404", "422", "429"},
    ("/api/application-key/validate", "get"): {"200", "422", "429"},
}


def test_each_route_is_documented_under_its_tag(schema):
    assert_documented_under(schema, "application-key", DOCUMENTED)


def test_validate_needs_no_credentials_and_the_rest_a_token(schema):
    paths = schema["paths"]

    assert paths["/api/application-key/validate"]["get"].get("security") in (None, [], [{}])
    assert {"BearerToken": []} in paths["/api/application-key/info"]["get"]["security"]
    assert "sk-" in schema["components"]["securitySchemes"]["BearerToken"]["description"]
