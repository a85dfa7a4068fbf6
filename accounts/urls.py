from django.urls import include, path

from accounts import views

urlpatterns = [
    path("auth/send-code", views.SendCodeView.as_view(), name="auth-send-code"),
    path("auth/register", views.RegisterView.as_view(), name="auth-register"),
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("auth/me", views.MeView.as_view(), name="auth-me"),
    path("auth/send-sms-code", views.SendSmsCodeView.as_view(), name="auth-send-sms-code"),
    path("auth/login-by-sms", views.SmsLoginView.as_view(), name="auth-login-by-sms"),
    path("auth/bind-phone", views.BindPhoneView.as_view(), name="auth-bind-phone"),
    path("auth/change-phone", views.ChangePhoneView.as_view(), name="auth-change-phone"),
    path(
        "auth/reset-password-by-sms",
        views.SmsPasswordResetView.as_view(),
        name="auth-reset-password-by-sms",
    ),
    path("auth/send-reset-code", views.SendResetCodeView.as_view(), name="auth-send-reset-code"),
    path("auth/reset-password", views.EmailPasswordResetView.as_view(), name="auth-reset-password"),
    path("users/me", views.MyProfileView.as_view(), name="users-me"),
    path(
        "users/me/change-password",
        views.PasswordChangeView.as_view(),
        name="users-me-change-password",
    ),
    path("application-key/", include("accounts.application_keys.urls")),
    path("passkey/", include("accounts.passkeys.urls")),
    path(
        "business-accounts/me",
        views.MyBusinessAccountView.as_view(),
        name="business-accounts-me",
    ),
    path(
        "business-accounts/me/apply",
        views.BusinessAccountApplyView.as_view(),
        name="business-accounts-me-apply",
    ),
    path(
        "business-accounts/<str:account_id>",
        views.BusinessAccountDetailView.as_view(),
        name="business-accounts-detail",
    ),
]
