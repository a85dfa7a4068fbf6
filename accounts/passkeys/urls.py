from django.urls import path

from accounts.passkeys import views

urlpatterns = [
    path(
        "registration-options",
        views.RegistrationOptionsView.as_view(),
        name="passkey-registration-options",
    ),
    path("register", views.RegisterView.as_view(), name="passkey-register"),
    path(
        "authentication-options",
        views.AuthenticationOptionsView.as_view(),
        name="passkey-authentication-options",
    ),
    path("authenticate", views.AuthenticateView.as_view(), name="passkey-authenticate"),
    path("credentials", views.CredentialListView.as_view(), name="passkey-credentials"),
    path(
        "credentials/<str:passkey_id>",
        views.CredentialDeleteView.as_view(),
        name="passkey-credential",
    ),
    path(
        "credentials/<str:passkey_id>/nickname",
        views.CredentialNicknameView.as_view(),
        name="passkey-credential-nickname",
    ),
    path(
        "credentials/<str:passkey_id>/primary",
        views.CredentialPrimaryView.as_view(),
        name="passkey-credential-primary",
    ),
    path("toggle", views.ToggleView.as_view(), name="passkey-toggle"),
]
