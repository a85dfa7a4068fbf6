from django.urls import path

from tickets import views

urlpatterns = [
    path("tickets", views.TicketListView.as_view(), name="tickets"),
    # Before the ticket's routes, so no ticket id ever reads "attachments".
    path(
        "tickets/attachments/download/<str:token>",
        views.TicketAttachmentDownloadView.as_view(),
        name="ticket-attachment-download",
    ),
    path("tickets/<str:ticket_id>", views.TicketDetailView.as_view(), name="ticket-detail"),
    path(
        "tickets/<str:ticket_id>/messages",
        views.TicketMessagesView.as_view(),
        name="ticket-messages",
    ),
    path("tickets/<str:ticket_id>/close", views.TicketCloseView.as_view(), name="ticket-close"),
    path("tickets/<str:ticket_id>/reopen", views.TicketReopenView.as_view(), name="ticket-reopen"),
    path(
        "tickets/<str:ticket_id>/attachments/<str:attachment_id>/download-url",
        views.TicketAttachmentDownloadUrlView.as_view(),
        name="ticket-attachment-download-url",
    ),
]
