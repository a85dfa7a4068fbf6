from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html

from csa.admin_lists import USER_NAMES_HELP, ScaledChangelist, row_id, user_ids_named
from csa.errors import ApplicationError
from points.admin import ReadOnlyAdmin
from rewriting.documents.stored import document_download_url, rewritten_name
from rewriting.models import (
    DocumentPiece,
    PieceStatus,
    RewritingDocument,
    RewritingTask,
    Service,
    TaskStatus,
)
from rewriting.services import rewriting_document_retry, rewriting_task_refund


@admin.register(RewritingTask)
class RewritingTaskAdmin(ScaledChangelist, ReadOnlyAdmin):
    list_display = (
        "id",
        "owner",
        "label",
        "service",
        "status",
        "cost_text",
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
    change_form_template = "admin/rewriting/rewritingtask/change_form.html"
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

    @admin.display(description="返还")
    def refunded(self, obj: RewritingTask) -> str:
        """Only a failed task's points can come back: 已返还 or 未返还; others, a dash."""
        if obj.status != TaskStatus.FAILED:
            return "—"
        return "已返还" if hasattr(obj.spend, "refund") else "未返还"

    @admin.display(description="积分消耗")
    def cost_text(self, obj: RewritingTask) -> str:
        """What the customer paid: nothing for a task the vendor never took (its hold went back)."""
        return str(obj.cost) if obj.spend_id else "—"

    def get_urls(self):
        refund = self.admin_site.admin_view(self.refund_view)
        return [
            path("<int:task_id>/refund/", refund, name="rewriting_rewritingtask_refund"),
            *super().get_urls(),
        ]

    def refund_view(self, request, task_id: int):
        """The task page's 返还积分 button: the same refund as the list's action."""
        task = get_object_or_404(RewritingTask.objects.select_related("owner"), pk=task_id)
        if request.method != "POST" or not self.has_view_permission(request, task):
            raise PermissionDenied
        try:
            rewriting_task_refund(task=task)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, f"已返还任务 #{task.pk} 的积分", messages.SUCCESS)
        return redirect("admin:rewriting_rewritingtask_change", task.pk)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        refundable = obj is not None and obj.status == TaskStatus.FAILED and obj.spend_id
        context["refundable"] = refundable and not hasattr(obj.spend, "refund")
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

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


def _pieces_counted(status: str) -> Subquery:
    """How many of the row's pieces are `status`: computed for the page's rows only."""
    pieces = DocumentPiece.objects.filter(document=OuterRef("pk"), status=status)
    return Subquery(pieces.values("document").annotate(n=Count("pk")).values("n")[:1])


class DocumentPieceInline(admin.TabularInline):
    model = DocumentPiece
    extra = 0
    can_delete = False
    fields = (
        "position",
        "status",
        "attempts",
        "upstream_task_id",
        "characters",
        "error",
        "submitted_at",
        "next_attempt_at",
    )
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RewritingDocument)
class RewritingDocumentAdmin(ScaledChangelist, ReadOnlyAdmin):
    list_display = (
        "order_id",
        "owner",
        "file_name",
        "label",
        "size_text",
        "characters",
        "pieces_done",
        "pieces_failed",
        "cost",
        "status",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "service", "platform", "task_type", "created_at")
    search_fields = ("order_id", "owner__email")
    search_help_text = f"输入订单号，或{USER_NAMES_HELP}"
    list_select_related = ("owner",)
    sortable_by = ("created_at",)
    actions = ("retry_failed_pieces",)
    inlines = (DocumentPieceInline,)
    fields = (
        "order_id",
        "owner",
        "file_name",
        "platform",
        "task_type",
        "service",
        "tool",
        "size_text",
        "characters",
        "cost",
        "status",
        "spend_link",
        "refund_text",
        "input_link",
        "output_link",
        "created_at",
        "finished_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                done=_pieces_counted(PieceStatus.COMPLETED),
                failed=_pieces_counted(PieceStatus.FAILED),
            )
        )

    def search_condition(self, term: str) -> Q:
        if users := user_ids_named(term):
            return Q(owner__in=users)
        return Q(order_id=term.upper())

    @admin.display(description="文档")
    def label(self, obj: RewritingDocument) -> str:
        return obj.label

    @admin.display(description="大小")
    def size_text(self, obj: RewritingDocument) -> str:
        return filesizeformat(obj.size)

    @admin.display(description="已完成片段")
    def pieces_done(self, obj: RewritingDocument) -> int:
        return obj.done or 0

    @admin.display(description="失败片段")
    def pieces_failed(self, obj: RewritingDocument) -> int:
        return obj.failed or 0

    @admin.display(description="消费记录")
    def spend_link(self, obj: RewritingDocument) -> str:
        if obj.spend_id is None:
            return "—（积分冻结中或已释放）"
        url = reverse("admin:points_pointstransaction_change", args=[obj.spend_id])
        return format_html('<a href="{}">#{}</a>', url, obj.spend_id)

    @admin.display(description="已返还积分")
    def refund_text(self, obj: RewritingDocument) -> str:
        return str(obj.refunded) if obj.refunded else "—"

    @admin.display(description="原文档")
    def input_link(self, obj: RewritingDocument) -> str:
        return self._file_link(obj.input_file, obj.file_name)

    @admin.display(description="改写后文档")
    def output_link(self, obj: RewritingDocument) -> str:
        return self._file_link(obj.output_file, rewritten_name(obj.file_name))

    def _file_link(self, key: str, name: str) -> str:
        if not key:
            return "—"
        url = document_download_url(key=key, name=name, request=None)
        return format_html('<a href="{}">下载 {}</a>', url, name)

    @admin.action(description="重试所选文档的失败片段")
    def retry_failed_pieces(self, request, queryset) -> None:
        done = 0
        for document in queryset:
            try:
                pieces = rewriting_document_retry(document=document)
            except ApplicationError as error:
                self.message_user(request, f"{document.order_id}：{error.message}", messages.ERROR)
                continue
            done += 1
            self.message_user(request, f"{document.order_id}：{pieces} 个片段将重新提交")
        if done:
            self.message_user(request, f"已重试 {done} 个文档", messages.SUCCESS)
