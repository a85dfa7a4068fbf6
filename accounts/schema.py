from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension

TOKEN_HELP = (
    "登录得到的 access_token（门户 /api/auth/login，降重服务 /user/login）；"  # noqa: S105
    "门户的接口（/api/…）也接受应用密钥 sk-…"
)


class SessionTokenScheme(OpenApiAuthenticationExtension):
    """The access token, either pasted into Swagger UI (`BearerToken`) or obtained there through
    the OAuth2 password form at /api/auth/token (`OAuth2PasswordBearer`): either one will do."""

    target_class = "accounts.authentication.SessionTokenAuthentication"
    name = ["OAuth2PasswordBearer", "BearerToken"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "oauth2",
                "flows": {"password": {"tokenUrl": "/api/auth/token", "scopes": {}}},
            },
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": TOKEN_HELP,
            },
        ]

    def get_security_requirement(self, auto_schema):
        return [{name: []} for name in self.name]  # one or the other, not both


class ApplicationKeyScheme(OpenApiAuthenticationExtension):
    """An application key is pasted where a token is (`BearerToken`, whose description says
    so): SessionTokenScheme, on the same routes, documents that scheme and its requirement."""

    target_class = "accounts.authentication.ApplicationKeyAuthentication"
    name: list[str] = []

    def get_security_definition(self, auto_schema):
        return []

    def get_security_requirement(self, auto_schema):
        return None


class StaffSessionScheme(SessionScheme):
    """The console's session cookie: staff signed in at /admin/ use the browsable API with it."""

    target_class = "accounts.authentication.StaffSessionAuthentication"
    priority = 0  # over drf-spectacular's own, for this subclass of SessionAuthentication
