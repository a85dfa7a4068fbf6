from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SessionTokenScheme(OpenApiAuthenticationExtension):
    """Bearer JWT, obtainable in Swagger UI through the OAuth2 password form at /api/auth/token."""

    target_class = "accounts.authentication.SessionTokenAuthentication"
    name = "OAuth2PasswordBearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "flows": {"password": {"tokenUrl": "/api/auth/token", "scopes": {}}},
        }
