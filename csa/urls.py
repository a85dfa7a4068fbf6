from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from csa.envelope.views import EnvelopeNotFoundView
from csa.markdown_preview import markdown_preview

_envelope_not_found = EnvelopeNotFoundView.as_view()


def envelope_not_found(request, *args, **kwargs):
    """The catch-all as a plain view, so the browsable API's breadcrumbs leave it out (they list
    the REST framework views that the path's prefixes resolve to: /points is no page)."""
    return _envelope_not_found(request, *args, **kwargs)


envelope_not_found.view_class = EnvelopeNotFoundView  # what it serves, for those who look


admin.site.site_header = "云梦镜像 · 员工控制台"
admin.site.site_url = None  # the platform has no site of its own to view, only APIs
# The lists' columns need the width more than a second menu does (home and breadcrumbs remain),
# so that every page fits a 1,366 px screen.
admin.site.enable_nav_sidebar = False
admin.site.site_title = "云梦镜像员工控制台"
admin.site.index_title = "管理"

# The browsable API's sign-in, as DRF's own but for staff only (the console's form): customers
# sign in with tokens.
browsable_api_login = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="rest_framework/login.html",
            authentication_form=AdminAuthenticationForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever a page links; the icon is a static file."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("csa/favicon.svg")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
    path(
        "admin/markdown-preview/",
        admin.site.admin_view(markdown_preview),
        name="console-markdown-preview",
    ),
    path("admin/", admin.site.urls),
    path("api-auth/", include((browsable_api_login, "rest_framework"))),
    path("api/", include("csa.api.urls")),
    path("", include("oidc.urls")),
    path("", include("accounts.rewriting_api.urls")),
    path("", include("rewriting.urls")),
    path("", include("points.urls")),
    path("", include("payments.urls")),
    # The rewriting API answers unknown paths of its own in its envelope.
    re_path(r"^(?:otp|user|ai|points|rewrite|alipay|wechatpay)(?:/.*)?$", envelope_not_found),
]

handler500 = "csa.api.views.server_error"
