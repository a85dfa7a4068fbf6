from django.urls import include, path

from bench import ceiling

urlpatterns = [
    path("bench/ceiling/me", ceiling.me),
    path("bench/ceiling/tickets", ceiling.tickets),
    path("bench/ceiling/transactions", ceiling.transactions),
    path("bench/ceiling/reduce-task", ceiling.reduce_task),
    path("bench/ceiling/login", ceiling.login),
    path("", include("csa.urls")),
]
handler500 = "csa.api.views.server_error"
