from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import User
from csa.admin_lists import USER_NAMES_HELP, ScaledChangelist, user_ids_named
from csa.errors import ApplicationError
from csa.history import ChangeHistoryAdmin
from csa.ids import uuid_or_none
from tickets import services
from tickets.admin_ticket_page import TicketConsoleForm, active_staff, thread_html
from tickets.models import CannedReply, Ticket, TicketAlertSubscription

# --- the list: the queue of first answers, soonest due first ---------------------------------

FIRST_RESPONSE = "first_response"
FIRST_RESPONSE_VIEWS = {
    "all": "全部",
    "overdue": "已超时",
    "waiting": "待响应",
    "answered": "已响应",
}
QUEUE_VIEWS = {"overdue", "waiting"}
# What the list opens on: the query-string keys that do not narrow it (paging, the error flag).
NOT_NARROWING = {"p", "e"}
AWAITING = Q(first_responded_at__isnull=True, closed_at__isnull=True)  # = ticket_awaiting_due's


def first_response_view(request) -> str:
    """Which tickets the list shows by their first answer: the 首次响应 filter's choice; without
    one, the list opened bare is the queue (待响应), and a list searched or narrowed by another
    filter shows every ticket (a customer's tickets, the closed ones, the pending follow-ups)."""
    chosen = request.GET.get(FIRST_RESPONSE)
    if chosen in FIRST_RESPONSE_VIEWS:
        return chosen
    narrowed = any(value for key, value in request.GET.items() if key not in NOT_NARROWING)
    return "all" if narrowed else "waiting"


def is_overdue(ticket: Ticket) -> bool:
    due = ticket.first_response_due_at
    return (
        ticket.first_responded_at is None
        and not ticket.is_closed
        and due is not None
        and due < timezone.now()
    )


class FirstResponseFilter(admin.SimpleListFilter):
    title = "首次响应"
    parameter_name = FIRST_RESPONSE

    def lookups(self, request, model_admin):
        return list(FIRST_RESPONSE_VIEWS.items())

    def queryset(self, request, queryset):
        view = first_response_view(request)
        if view == "overdue":
            return queryset.filter(AWAITING, first_response_due_at__lt=timezone.now())
        if view == "waiting":
            return queryset.filter(AWAITING)
        if view == "answered":
            return queryset.filter(first_responded_at__isnull=False)
        return queryset

    def choices(self, changelist):
        view = first_response_view(self.request)
        for value, label in self.lookup_choices:
            yield {
                "selected": view == value,
                "query_string": changelist.get_query_string({FIRST_RESPONSE: value}),
                "display": label,
            }


class ClosedFilter(admin.SimpleListFilter):
    title = "是否关闭"
    parameter_name = "closed"

    def lookups(self, request, model_admin):
        return (("no", "未关闭"), ("yes", "已关闭"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(closed_at__isnull=self.value() == "no")
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "负责人"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        colleagues = active_staff().values_list("pk", "email")
        return [("me", "我负责的"), ("none", "未指派"), *((str(pk), e) for pk, e in colleagues)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdecimal() and len(value) <= 18:  # a bigint
            return queryset.filter(assignee_id=int(value))
        return queryset


# --- the ticket's page (tickets.admin_ticket_page): the thread, then the reply box ----------

TICKET_FIELDS = ("title", "creator", "ticket_type", "status", "created_at", "updated_at")
CLOCK_FIELDS = ("first_response_due_at", "first_responded_at", "closed_state")
REPLY_FIELDS = ("canned_reply", "reply", "attachments", "close", "close_final")
RECORD_FIELDS = ("feedback", "responder", "replied_at", "history")


@admin.register(Ticket)
class TicketAdmin(ChangeHistoryAdmin, ScaledChangelist, admin.ModelAdmin):
    """Tickets as conversations. The list opens on the tickets awaiting their first answer,
    soonest due (so the overdue, in red) first: the partial index `ticket_awaiting_due` serves
    that order; any other view is newest first, as `ticket_newest` and its kin serve it."""

    form = TicketConsoleForm
    list_display = (
        "title",
        "ticket_type",
        "state",
        "creator",
        "assignee",
        "first_response",
        "created_at",
    )
    list_filter = (FirstResponseFilter, "ticket_type", "status", ClosedFilter, AssigneeFilter)
    search_fields = ("title", "creator__email")
    search_help_text = f"输入工单编号、标题中的文字，或{USER_NAMES_HELP}"
    list_select_related = ("creator", "assignee")
    ordering = ("-created_at", "-id")
    searches_text = True
    actions = ("assign_to_me", "unassign")
    fieldsets = (
        (None, {"fields": (*TICKET_FIELDS, "assignee", *CLOCK_FIELDS)}),
        ("对话", {"fields": ("thread",)}),
        ("回复", {"fields": REPLY_FIELDS}),
        ("记录", {"fields": RECORD_FIELDS}),
    )
    readonly_fields = (*TICKET_FIELDS, *CLOCK_FIELDS, "thread", *RECORD_FIELDS)

    class Media:
        js = ["csa/ticket_reply.js"]

    def get_ordering(self, request):
        if first_response_view(request) in QUEUE_VIEWS:
            return ("first_response_due_at", "-created_at", "-id")
        return self.ordering

    def search_condition(self, term: str) -> Q:
        if ticket_id := uuid_or_none(term):
            return Q(pk=ticket_id)
        if users := user_ids_named(term):
            return Q(creator__in=users)
        return self.contains(term, "title")

    @admin.display(description="首次响应期限")
    def first_response(self, obj: Ticket):
        if obj.first_response_due_at is None:
            return "—"
        due = formats.localize(timezone.template_localtime(obj.first_response_due_at))
        if is_overdue(obj):
            return format_html('<span class="ticket-overdue">{}（已超时）</span>', due)
        return due

    @admin.display(description="状态")
    def state(self, obj: Ticket) -> str:
        status = obj.get_status_display()
        return f"{status}（已关闭）" if obj.is_closed else status

    @admin.display(description="关闭状态")
    def closed_state(self, obj: Ticket) -> str:
        if not obj.is_closed:
            return "未关闭"
        when = formats.localize(timezone.template_localtime(obj.closed_at))
        final = "，最终关闭" if obj.closed_final else ""
        return f"{when} 由 {obj.closed_by or '—'} 关闭{final}"

    @admin.display(description="对话")
    def thread(self, obj: Ticket) -> SafeString:
        return thread_html(obj)

    def has_add_permission(self, request) -> bool:
        return False  # customers file tickets; staff answer them

    def delete_model(self, request, obj: Ticket) -> None:
        services.tickets_delete_by_staff(Ticket.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        services.tickets_delete_by_staff(queryset)

    # Every change goes through the ticket services; a refusal is shown, never a 500.

    def save_model(self, request, obj: Ticket, form, change):
        try:
            with transaction.atomic():  # all of the form's changes, or none
                done = self._changes_saved(request, obj, form.cleaned_data, form.changed_data)
        except ApplicationError as error:
            request.ticket_change_refused = True
            self.message_user(request, error.message, messages.ERROR)
            return
        for message in done:
            self.message_user(request, message, messages.SUCCESS)
        obj.refresh_from_db()

    def _changes_saved(self, request, obj: Ticket, cleaned: dict, changed: list) -> list[str]:
        done = []
        if "assignee" in changed:
            assignee = cleaned["assignee"]
            services.ticket_assign(ticket_id=obj.pk, assignee=assignee, actor=request.user)
            done.append(f"已指派给 {assignee}" if assignee else "已取消指派")
        if cleaned.get("reply"):
            services.ticket_reply(
                ticket_id=obj.pk,
                responder=request.user,
                feedback=cleaned["reply"],
                files=cleaned.get("attachments") or [],
            )
            done.append("已回复，并以邮件通知客户")
        if cleaned.get("close") or cleaned.get("close_final"):
            final = bool(cleaned.get("close_final"))
            services.ticket_close(ticket_id=obj.pk, actor=request.user, final=final)
            done.append("已最终关闭工单" if final else "已关闭工单")
        return done

    def save_related(self, request, form, formsets, change):
        pass  # no related rows are edited here

    def response_change(self, request, obj):
        if getattr(request, "ticket_change_refused", False):
            return redirect("admin:tickets_ticket_change", obj.pk)  # the refusal, not "saved"
        return super().response_change(request, obj)

    # Close and reopen from the page's tools; assign from the list.

    def get_urls(self):
        return [
            path(
                "<path:object_id>/close/",
                self.admin_site.admin_view(self.close_view),
                name="tickets_ticket_close",
            ),
            path(
                "<path:object_id>/reopen/",
                self.admin_site.admin_view(self.reopen_view),
                name="tickets_ticket_reopen",
            ),
            *super().get_urls(),
        ]

    def close_view(self, request, object_id):
        """POST: close the ticket; with `final`, as final."""
        final = request.POST.get("final") == "1"
        done = "已最终关闭工单" if final else "已关闭工单"
        return self._tool(request, object_id, services.ticket_close, done, final=final)

    def reopen_view(self, request, object_id):
        return self._tool(request, object_id, services.ticket_reopen, "已重新打开工单")

    def _tool(self, request, object_id, service, done: str, **options):
        ticket = self.get_object(request, unquote(object_id))
        if ticket is None:
            raise Http404
        if request.method != "POST" or not self.has_change_permission(request, ticket):
            raise PermissionDenied
        try:
            service(ticket_id=ticket.pk, actor=request.user, **options)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return redirect("admin:tickets_ticket_change", ticket.pk)

    @admin.action(description="指派给我")
    def assign_to_me(self, request, queryset):
        self._assign(request, queryset, request.user)

    @admin.action(description="取消指派")
    def unassign(self, request, queryset):
        self._assign(request, queryset, None)

    def _assign(self, request, queryset, assignee: User | None) -> None:
        done = 0
        for ticket_id in queryset.values_list("pk", flat=True):
            try:
                services.ticket_assign(ticket_id=ticket_id, assignee=assignee, actor=request.user)
                done += 1
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
        verb = "指派给你" if assignee else "取消指派"
        self.message_user(request, f"已将 {done} 个工单{verb}", messages.SUCCESS)


# --- what staff keep at hand --------------------------------------------------------------


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "ticket_type", "updated_at")
    list_filter = ("ticket_type",)
    search_fields = ("title", "body")
    search_help_text = "输入标题或内容中的文字"
    ordering = ("title",)
    fields = ("title", "ticket_type", "body", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")


@admin.register(TicketAlertSubscription)
class TicketAlertSubscriptionAdmin(admin.ModelAdmin):
    """Who is e-mailed when a ticket of a type arrives or its customer writes (besides
    TICKET_ALERT_EMAILS and the ticket's assignee)."""

    list_display = ("user", "ticket_type")
    list_filter = ("ticket_type",)
    search_fields = ("user__email",)
    search_help_text = "输入员工邮箱"
    list_select_related = ("user",)
    ordering = ("user__email", "ticket_type")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = active_staff()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
