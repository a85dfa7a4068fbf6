from django.urls import path

from accounts.rewriting_api import views

urlpatterns = [
    path("otp", views.OtpView.as_view(), name="rewriting-otp"),
    path("user/register", views.RegisterView.as_view(), name="rewriting-register"),
    path("user/login", views.LoginView.as_view(), name="rewriting-login"),
    path("user/refresh", views.RefreshView.as_view(), name="rewriting-refresh"),
    path("user/list", views.UserListView.as_view(), name="rewriting-user-list"),
    path("user/update-role", views.UpdateRoleView.as_view(), name="rewriting-update-role"),
    path("user/update-rate", views.UpdateRateView.as_view(), name="rewriting-update-rate"),
    path("user/update-points", views.UpdatePointsView.as_view(), name="rewriting-update-points"),
    path("user/logout", views.LogoutView.as_view(), name="rewriting-logout"),
    path(
        "user/forgot-password", views.ForgotPasswordView.as_view(), name="rewriting-forgot-password"
    ),
    path("user/reset-password", views.ResetPasswordView.as_view(), name="rewriting-reset-password"),
    path(
        "user/change-password", views.ChangePasswordView.as_view(), name="rewriting-change-password"
    ),
]
