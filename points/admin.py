from django.contrib import admin, messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.models import User
from csa.admin_lists import USER_NAMES_HELP, ScaledChangelist, row_id, user_ids_named
from csa.errors import ApplicationError
from points.forms import PointsChangeForm
from points.models import PointsAccount, PointsTransaction
from points.selectors import points_balance_of
from rewriting.snapshots import snapshot_url


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledger rows are written only by the ledger's services."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def points_change_link(user: User) -> str:
    url = reverse("admin:points_change", args=[user.pk])
    return format_html('<a class="button" href="{}">充值 / 调整积分</a>', url)


@admin.register(PointsTransaction)
class PointsTransactionAdmin(ScaledChangelist, ReadOnlyAdmin):
    list_display = (
        "id",
        "user",
        "kind",
        "amount",
        "balance_after",
        "description",
        "reference_id",
        "is_successful",
        "created_at",
        "recorded_by",
    )
    list_filter = ("transaction_type", "is_correction", "is_successful", "created_at")
    search_fields = ("user__email", "user__username", "reference_id")
    search_help_text = f"输入交易编号、关联ID，或{USER_NAMES_HELP}"
    list_select_related = ("user", "recorded_by")
    sortable_by = ("id", "created_at")
    readonly_fields = ("input_snapshot", "response_snapshot")

    def search_condition(self, term: str) -> Q:
        if users := user_ids_named(term):
            return Q(user__in=users)
        return row_id(term) | Q(reference_id=term)

    @admin.display(description="类型")
    def kind(self, obj: PointsTransaction) -> str:
        return obj.kind

    @admin.display(description="原文快照")
    def input_snapshot(self, obj: PointsTransaction) -> str:
        return _snapshot_link(obj.user_input_file)

    @admin.display(description="结果快照")
    def response_snapshot(self, obj: PointsTransaction) -> str:
        return _snapshot_link(obj.ai_response_file)

    def get_urls(self):
        change = self.admin_site.admin_view(self.points_change_view)
        return [
            path("change-points/<int:user_id>/", change, name="points_change"),
            *super().get_urls(),
        ]

    def points_change_view(self, request, user_id: int):
        user = get_object_or_404(User, pk=user_id)
        form = PointsChangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                recorded = form.save(user=user, staff=request.user)
            except ApplicationError as error:
                form.add_error("amount", error.message)
            else:
                message = (
                    f"已为 {user} 记录 {recorded.amount} 积分，当前余额 {recorded.balance_after}"
                )
                self.message_user(request, message, messages.SUCCESS)
                return redirect("admin:accounts_user_change", user.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"充值 / 调整积分：{user}",
            "target": user,
            "balance": points_balance_of(user),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/points/change_points.html", context)


def _snapshot_link(key: str) -> str:
    url = snapshot_url(key, request=None)
    return format_html('<a href="{}" target="_blank" rel="noopener">查看</a>', url) if url else "—"


@admin.register(PointsAccount)
class PointsAccountAdmin(ReadOnlyAdmin):
    list_display = ("user", "balance", "held", "updated_at", "change_points")
    search_fields = ("user__email", "user__username", "user__phone")
    list_select_related = ("user",)
    ordering = ("-updated_at",)

    @admin.display(description="操作")
    def change_points(self, obj: PointsAccount) -> str:
        return points_change_link(obj.user)
