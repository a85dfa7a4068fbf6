"""The portal's OAuth routes, under /api/oauth/."""

from django.urls import path

from oidc import api_views

urlpatterns = [
    path("clients", api_views.ClientListView.as_view(), name="oauth-clients"),
    path(
        "clients/<str:client_id>",
        api_views.ClientDetailView.as_view(),
        name="oauth-clients-detail",
    ),
    path(
        "clients/<str:client_id>/rotate-secret",
        api_views.ClientSecretRotateView.as_view(),
        name="oauth-clients-rotate-secret",
    ),
    path("authorizations", api_views.AuthorizationListView.as_view(), name="oauth-authorizations"),
    path(
        "authorizations/<str:client_id>",
        api_views.AuthorizationDetailView.as_view(),
        name="oauth-authorizations-detail",
    ),
]
