from django.urls import path

from points import views

urlpatterns = [
    path("points/balance", views.BalanceView.as_view(), name="points-balance"),
    path("points/transactions", views.TransactionsView.as_view(), name="points-transactions"),
    path("points/recharges", views.RechargesView.as_view(), name="points-recharges"),
    path("points/refund", views.RefundView.as_view(), name="points-refund"),
]
