from django.urls import path

from contact import views

urlpatterns = [
    path("owa/info", views.ContactMessageSubmitView.as_view(), name="contact-message-submit"),
]
