"""The console's Markdown preview while staff type a contract or a project overview: the same
sanitized HTML the customer is shown, rendered by the server (no Markdown library in the page)."""

from django import forms
from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.urls import reverse_lazy

from csa.rendering import markdown_to_safe_html

PREVIEW_MAX_CHARACTERS = 200_000
PREVIEW_URL = reverse_lazy("console-markdown-preview")


def markdown_preview(request: HttpRequest) -> JsonResponse:
    """POST `text`: {"html": …}. Staff only, through the console's login and CSRF check."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    text = request.POST.get("text", "")[:PREVIEW_MAX_CHARACTERS]
    return JsonResponse({"html": markdown_to_safe_html(text)})


class MarkdownPreviewMixin:
    """A ModelAdmin whose `markdown_fields` are typed with a live preview beside them."""

    markdown_fields: tuple[str, ...] = ()

    class Media:
        js = ["csa/markdown-preview.js"]
        css = {"all": ["csa/markdown.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in self.markdown_fields and isinstance(field.widget, forms.Textarea):
            field.widget.attrs["data-markdown-preview"] = PREVIEW_URL
        return field
