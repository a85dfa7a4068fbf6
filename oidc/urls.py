"""The provider at /oauth/ and its discovery document at the site's root. The toolkit's views
keep their names in its namespace, which its discovery document reverses."""

from django.urls import include, path, re_path
from oauth2_provider import views as toolkit

from oidc import views
from oidc.throttling import throttled

provider_patterns = [
    path(
        "oauth/authorize",
        throttled("public", page=True)(views.ApprovalView.as_view()),
        name="authorize",
    ),
    path("oauth/token", throttled("login")(toolkit.TokenView.as_view()), name="token"),
    path(
        "oauth/revoke_token",
        throttled("public")(toolkit.RevokeTokenView.as_view()),
        name="revoke-token",
    ),
    path("oauth/userinfo", throttled("public")(toolkit.UserInfoView.as_view()), name="user-info"),
    path("oauth/jwks", throttled("public")(toolkit.JwksInfoView.as_view()), name="jwks-info"),
    re_path(
        r"^\.well-known/openid-configuration$",
        throttled("public")(toolkit.ConnectDiscoveryInfoView.as_view()),
        name="oidc-connect-discovery-info",
    ),
]

urlpatterns = [
    path("", include((provider_patterns, "oauth2_provider"))),
    path("oauth/login/", throttled("login", page=True)(views.sign_in), name="oidc-sign-in"),
]
