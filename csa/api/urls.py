"""Everything under /api/: the portal's routes, its OpenAPI docs, and a JSON 404 for the rest."""

from django.urls import include, path, re_path

from csa.api import views

urlpatterns = [
    path("", views.RootView.as_view(), name="api-root"),
    path("health", views.HealthView.as_view(), name="api-health"),
    path("schema/", views.SchemaView.as_view(), name="api-schema"),
    path("docs/", views.DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("accounts.urls")),
    path("", include("tickets.urls")),
    path("", include("contracts.urls")),
    path("", include("projects.urls")),
    path("", include("contact.urls")),
    path("", include("uploads.urls")),
    path("oauth/", include("oidc.api_urls")),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="api-not-found"),
]
