from django.urls import path

from tickets import views

urlpatterns = [
    path("tickets", views.TicketListView.as_view(), name="tickets"),
    path("tickets/<str:ticket_id>", views.TicketDetailView.as_view(), name="ticket-detail"),
]
