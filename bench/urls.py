from django.urls import include, path

from bench import ceiling, framework

urlpatterns = [
    path("bench/ceiling/me", ceiling.me),
    path("bench/ceiling/tickets", ceiling.tickets),
    path("bench/ceiling/transactions", ceiling.transactions),
    path("bench/framework/me", framework.me),
    path("bench/framework/tickets", framework.tickets),
    path("bench/framework/transactions", framework.transactions),
    path("bench/framework/reduce-task", framework.reduce_task),
    path("bench/framework/login", framework.login),
    path("", include("csa.urls")),
]
handler500 = "csa.api.views.server_error"
