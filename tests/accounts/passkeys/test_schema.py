"""The routes in the OpenAPI schema: under their own tag, each refusal documented."""

import pytest

from tests.openapi_checks import assert_documented_under

pytestmark = pytest.mark.django_db

DOCUMENTED = {
    ("/api/passkey/registration-options", "get"): {"200", "401", "403", "429"},
    ("/api/passkey/register", "post"): {"200", "400", "401", "403", "422", "429"},
    ("/api/passkey/authentication-options", "get"): {"200", "429"},
    ("/api/passkey/authenticate", "post"): {"200", "400", "403", "422", "429"},
    ("/api/passkey/credentials", "get"): {"200", "401", "403", "429"},
    ("/api/passkey/credentials/{passkey_id}/nickname", "put"): {"200", "404", "422"},
    ("/api/passkey/credentials/{passkey_id}/primary", "put"): {"200", "404"},
    ("/api/passkey/credentials/{passkey_id}", "delete"): {"204", "404"},
    ("/api/passkey/toggle", "put"): {"200", "401", "403", "422", "429"},
}


def test_each_route_is_documented_under_its_tag(schema):
    assert_documented_under(schema, "passkey", DOCUMENTED)


def test_signing_in_needs_no_credentials_and_the_rest_a_token(schema):
    paths = schema["paths"]

    for path in ["/api/passkey/authentication-options", "/api/passkey/authenticate"]:
        assert next(iter(paths[path].values())).get("security") in (None, [], [{}])
    assert {"BearerToken": []} in paths["/api/passkey/credentials"]["get"]["security"]


def test_the_login_answer_is_documented_with_the_user(schema):
    answer = schema["paths"]["/api/passkey/authenticate"]["post"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    properties = schema["components"]["schemas"][ref]["properties"]
    assert {"access_token", "token_type", "expires_in", "user"} <= set(properties)
