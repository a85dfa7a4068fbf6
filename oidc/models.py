from django.db import models
from oauth2_provider.models import AbstractApplication


class GrantType(models.TextChoices):
    """The grants a client may use, by their names on the wire (RFC 6749)."""

    AUTHORIZATION_CODE = "authorization_code", "授权码"
    REFRESH_TOKEN = "refresh_token", "刷新令牌"
    CLIENT_CREDENTIALS = "client_credentials", "客户端凭据"


# django-oauth-toolkit's names for the grants it asks a client about.
TOOLKIT_GRANT_TYPES = {
    AbstractApplication.GRANT_AUTHORIZATION_CODE: GrantType.AUTHORIZATION_CODE,
    AbstractApplication.GRANT_CLIENT_CREDENTIALS: GrantType.CLIENT_CREDENTIALS,
}


class Client(AbstractApplication):
    """A customer's OAuth client: django-oauth-toolkit's application, swapped in
    (OAUTH2_PROVIDER_APPLICATION_MODEL) for lists of grant types and scopes instead of its one grant
    type. Always confidential, its secret kept hashed, its ID tokens signed RS256 (the JWKS's key).
    """

    grant_types = models.JSONField("授权方式", default=list)
    scopes = models.JSONField("可申请的权限范围", default=list)

    class Meta:
        verbose_name = "OAuth 客户端"
        verbose_name_plural = "OAuth 客户端"
        ordering = ("-created", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(client_type=AbstractApplication.CLIENT_CONFIDENTIAL),
                name="oidc_client_confidential",
                violation_error_message="OAuth 客户端必须持有密钥",
            ),
            models.CheckConstraint(
                condition=models.Q(hash_client_secret=True),
                name="oidc_client_secret_hashed",
                violation_error_message="OAuth 客户端密钥只保存摘要",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created"], name="oidc_client_owner_newest")]

    def __str__(self) -> str:
        return self.name or self.client_id

    def allows_grant_type(self, *grant_types: str) -> bool:
        return any(TOOLKIT_GRANT_TYPES.get(name) in self.grant_types for name in grant_types)

    def redirect_uri_allowed(self, uri: str) -> bool:
        # Character for character: no extra query, no other port, even on loopback.
        return uri in self.redirect_uris.split()
