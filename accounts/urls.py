from django.urls import path

from accounts import views

urlpatterns = [
    path("auth/send-code", views.SendCodeView.as_view(), name="auth-send-code"),
    path("auth/register", views.RegisterView.as_view(), name="auth-register"),
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("auth/me", views.MeView.as_view(), name="auth-me"),
    path("users/me", views.MyProfileView.as_view(), name="users-me"),
    path(
        "users/me/change-password",
        views.PasswordChangeView.as_view(),
        name="users-me-change-password",
    ),
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
