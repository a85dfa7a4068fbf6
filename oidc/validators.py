"""django-oauth-toolkit's hooks: which grants and scopes a client may use, and the claims a
customer's ID token and userinfo carry."""

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes

from oidc.models import GrantType


class ClientScopes(SettingsScopes):
    """A client may ask for the scopes it registered, and gets them all when it names none."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        every_scope = super().get_available_scopes()
        if application is None:  # the discovery document: everything the provider offers
            return every_scope
        if getattr(request, "grant_type", None) == GrantType.CLIENT_CREDENTIALS:
            return []  # every scope is a customer's, and this grant acts for no customer
        return [scope for scope in every_scope if scope in application.scopes]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)


class PortalOAuth2Validator(OAuth2Validator):
    # The scopes our claims need; any other claim is never given.
    oidc_claim_scope = {
        "sub": "openid",
        "name": "profile",
        "email": "email",
        "email_verified": "email",
    }

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type in request.client.grant_types

    def save_bearer_token(self, token, request, *args, **kwargs):
        # The code grant always makes a refresh token; a client without that grant gets none.
        if GrantType.REFRESH_TOKEN not in request.client.grant_types:
            token.pop("refresh_token", None)
        return super().save_bearer_token(token, request, *args, **kwargs)

    def get_claim_dict(self, request) -> dict:
        user = request.user
        return {
            "sub": str(user.uuid),
            "name": user.full_name or "",
            "email": user.email,
            "email_verified": user.email_verified,
        }

    def get_discovery_claims(self, request) -> list[str]:
        return list(self.oidc_claim_scope)
