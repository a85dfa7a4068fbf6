from django.urls import path

from contracts import views

urlpatterns = [
    path("contracts/me", views.MyContractsView.as_view(), name="contracts-me"),
    path("contracts/<str:contract_id>", views.ContractDetailView.as_view(), name="contract-detail"),
    path(
        "contracts/<str:contract_id>/sign-status",
        views.ContractSignStatusView.as_view(),
        name="contract-sign-status",
    ),
]
