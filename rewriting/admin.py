from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from csa.admin_lists import USER_NAMES_HELP, ScaledChangelist, row_id, user_ids_named
from csa.errors import ApplicationError
from points.admin import ReadOnlyAdmin
from rewriting.models import RewritingTask, Service, TaskStatus
from rewriting.services import rewriting_task_refund


@admin.register(RewritingTask)
class RewritingTaskAdmin(ScaledChangelist, ReadOnlyAdmin):
    list_display = (
        "id",
        "owner",
        "label",
        "service",
        "status",
        "cost",
        "progress",
        "refunded",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "service", "platform", "task_type", "created_at")
    search_fields = ("owner__email", "owner__username", "upstream_task_id")
    search_help_text = f"输入任务编号、上游任务ID，或{USER_NAMES_HELP}"
    list_select_related = ("owner", "spend__refund")
    sortable_by = ("id", "created_at")
    actions = ("refund_failed_tasks",)
    fields = (
        "owner",
        "platform",
        "task_type",
        "service",
        "tool",
        "upstream_task_id",
        "status",
        "failure_reason",
        "progress",
        "cost",
        "spend_link",
        "text",
        "result",
        "upstream_details",
        "created_at",
        "checked_at",
        "finished_at",
    )
    readonly_fields = fields

    def search_condition(self, term: str) -> Q:
        if users := user_ids_named(term):
            return Q(owner__in=users)
        return row_id(term) | Q(service__in=Service.values, upstream_task_id=term)

    @admin.display(description="任务")
    def label(self, obj: RewritingTask) -> str:
        return obj.label

    @admin.display(description="已返还", boolean=True)
    def refunded(self, obj: RewritingTask) -> bool | None:
        if obj.status != TaskStatus.FAILED:
            return None
        return hasattr(obj.spend, "refund")

    @admin.display(description="消费记录")
    def spend_link(self, obj: RewritingTask) -> str:
        if obj.spend_id is None:
            return "—"
        url = reverse("admin:points_pointstransaction_change", args=[obj.spend_id])
        return format_html('<a href="{}">#{}</a>', url, obj.spend_id)

    @admin.action(description="返还所选失败任务的积分")
    def refund_failed_tasks(self, request, queryset) -> None:
        done = 0
        for task in queryset.select_related("owner"):
            try:
                rewriting_task_refund(task=task)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"任务 #{task.pk}：{error.message}", messages.ERROR)
        if done:
            self.message_user(request, f"已返还 {done} 个任务的积分", messages.SUCCESS)
