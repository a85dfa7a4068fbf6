"""The console's ticket pages, and files as a browser uploads them."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.uploads import samples
from tickets.models import Ticket

LIST = reverse("admin:tickets_ticket_changelist")


def change_url(ticket: Ticket) -> str:
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


def page(console: Client, url: str, **query) -> str:
    response = console.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def png(name: str = "截图.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.png(), content_type="image/png")


def pdf(name: str = "说明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.pdf(), content_type="application/pdf")
