from django.contrib import admin
from django.utils.html import format_html

from contracts import services
from contracts.models import Contract
from csa.history import ChangeHistoryAdmin
from csa.markdown_preview import MarkdownPreviewMixin
from csa.rendering import markdown_to_safe_html


@admin.register(Contract)
class ContractAdmin(ChangeHistoryAdmin, MarkdownPreviewMixin, admin.ModelAdmin):
    markdown_fields = ("content_markdown",)
    list_display = ("title", "owner", "is_signed", "created_at", "updated_at")
    list_filter = ("is_signed",)
    search_fields = ("title", "owner__email")
    list_select_related = ("owner",)
    ordering = ("-created_at",)
    autocomplete_fields = ["owner"]
    add_fields = ("owner", "title", "content_markdown", "is_signed")
    change_fields = (
        "owner",
        "title",
        "content_markdown",
        "content_preview",
        "is_signed",
        "signed_at",
        "created_at",
        "updated_at",
        "history",
    )

    @admin.display(description="内容预览")
    def content_preview(self, obj: Contract):
        return format_html(
            '<div class="contract-preview">{}</div>', markdown_to_safe_html(obj.content_markdown)
        )

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.change_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A contract stays with the customer it was written for.
        return ("owner", "content_preview", "signed_at", "created_at", "updated_at", "history")

    def has_delete_permission(self, request, obj=None) -> bool:
        # A contract is a record the customer has seen or signed; staff edit it, never remove it.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.contract_update(contract=obj, actor=request.user, changes=changes)
        else:
            created = services.contract_create(
                owner=form.cleaned_data["owner"],
                title=form.cleaned_data["title"],
                content_markdown=form.cleaned_data["content_markdown"],
                actor=request.user,
            )
            if form.cleaned_data["is_signed"]:
                services.contract_sign_status_set(
                    contract=created, actor=request.user, is_signed=True
                )
            # The console names and links the new object by this instance.
            obj.pk = created.pk
        obj.refresh_from_db()
