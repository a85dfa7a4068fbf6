from django import forms
from django.contrib import admin, messages

from contact import services
from contact.models import ContactMessage

SUBMITTED_FIELDS = ("name", "email", "message", "client_ip", "created_at")
PROCESSING_RECORD = ("processed_at", "processed_by", "updated_at")


class ContactMessageProcessForm(forms.ModelForm):
    class Meta:
        model = ContactMessage
        fields = ("is_processed", "admin_notes")
        help_texts = {
            "is_processed": "首次标记为已处理时记录处理时间和处理人；取消标记会保留该记录。"
        }


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    form = ContactMessageProcessForm
    list_display = ("name", "email", "is_processed", "created_at", "processed_at", "processed_by")
    list_filter = ("is_processed",)
    search_fields = ("name", "email", "message")
    list_select_related = ("processed_by",)
    ordering = ("-created_at",)
    readonly_fields = (*SUBMITTED_FIELDS, *PROCESSING_RECORD)
    fieldsets = (
        ("留言", {"fields": SUBMITTED_FIELDS}),
        ("处理", {"fields": ("is_processed", "admin_notes", *PROCESSING_RECORD)}),
    )
    actions = ("mark_processed",)

    def has_add_permission(self, request) -> bool:
        return False  # messages come from the public contact form

    def save_model(self, request, obj, form, change):
        services.contact_message_process(
            message=obj,
            actor=request.user,
            is_processed=form.cleaned_data["is_processed"],
            admin_notes=form.cleaned_data["admin_notes"],
        )
        obj.refresh_from_db()

    @admin.action(description="标记为已处理")
    def mark_processed(self, request, queryset):
        for message in queryset:
            services.contact_message_process(
                message=message,
                actor=request.user,
                is_processed=True,
                admin_notes=message.admin_notes,
            )
        self.message_user(request, f"已将 {len(queryset)} 条留言标记为已处理", messages.SUCCESS)
