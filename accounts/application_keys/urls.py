from django.urls import path

from accounts.application_keys import views

urlpatterns = [
    path("create", views.ApplicationKeyCreateView.as_view(), name="application-key-create"),
    path("info", views.ApplicationKeyInfoView.as_view(), name="application-key-info"),
    path("rotate", views.ApplicationKeyRotateView.as_view(), name="application-key-rotate"),
    path("status", views.ApplicationKeyStatusView.as_view(), name="application-key-status"),
    path("validate", views.ApplicationKeyValidateView.as_view(), name="application-key-validate"),
]
