from django import forms
from django.contrib import admin, messages
from django.db.models import Q

from csa.admin_lists import USER_NAMES_HELP, ScaledChangelist, user_ids_named
from csa.errors import ApplicationError
from csa.history import ChangeHistoryAdmin
from csa.ids import uuid_or_none
from tickets import services
from tickets.models import Ticket, TicketStatus

TICKET_FIELDS = ("creator", "title", "ticket_type", "content", "status", "created_at", "updated_at")
REPLY_RECORD = ("responder", "replied_at", "history")


class TicketReplyForm(forms.ModelForm):
    class Meta:
        model = Ticket
        fields = ("feedback",)
        labels = {"feedback": "回复内容"}
        help_texts = {"feedback": "保存后工单变为“已回复”，并以邮件通知客户。工单只能回复一次。"}


@admin.register(Ticket)
class TicketAdmin(ChangeHistoryAdmin, ScaledChangelist, admin.ModelAdmin):
    form = TicketReplyForm
    list_display = ("title", "ticket_type", "status", "creator", "responder", "created_at")
    list_filter = ("status", "ticket_type")
    search_fields = ("title", "creator__email")
    search_help_text = f"输入工单编号、标题中的文字，或{USER_NAMES_HELP}"
    list_select_related = ("creator", "responder")
    ordering = ("-created_at", "-id")
    sortable_by = ("created_at",)
    searches_text = True

    def search_condition(self, term: str) -> Q:
        if ticket_id := uuid_or_none(term):
            return Q(pk=ticket_id)
        if users := user_ids_named(term):
            return Q(creator__in=users)
        return self.contains(term, "title")

    def has_add_permission(self, request) -> bool:
        return False  # customers file tickets; staff answer them

    def get_fields(self, request, obj=None):
        return (*TICKET_FIELDS, "feedback", *REPLY_RECORD)

    def get_readonly_fields(self, request, obj=None):
        replied = obj is not None and obj.status == TicketStatus.REPLIED
        return (*TICKET_FIELDS, *REPLY_RECORD, *(("feedback",) if replied else ()))

    def delete_model(self, request, obj: Ticket) -> None:
        services.tickets_delete_by_staff(Ticket.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        services.tickets_delete_by_staff(queryset)

    def save_model(self, request, obj, form, change):
        if "feedback" not in form.changed_data:
            return
        try:
            services.ticket_reply(
                ticket_id=obj.pk, responder=request.user, feedback=form.cleaned_data["feedback"]
            )
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
