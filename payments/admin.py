import json

from django.contrib import admin, messages
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from csa.admin_lists import USER_NAMES_HELP, ScaledChangelist, user_ids_named
from payments import selectors, services
from payments.models import ATTENTION_OUTCOMES, Order, OrderStatus, PaymentNotification
from points.admin import ReadOnlyAdmin

ASK_AT_ONCE = 20  # each waits on the gateway, inside the staff member's request
RECONCILED = {
    "credited": "已确认支付并入账",
    "already_paid": "已入账",
    "closed": "已在支付平台关闭",
    "pending": "尚未支付（或支付平台暂时无法查询）",
    "settled": "订单已不是待支付状态",
    "mismatch": "支付平台的金额或商户与订单不符，未入账，请查看支付通知",
    "order_closed": "订单已关闭却已付款，未入账，请人工处理",
}


def pretty_json(value) -> str:
    if value is None:
        return "—"
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    return format_html("<pre style='white-space: pre-wrap'>{}</pre>", text)


class NotificationInline(admin.TabularInline):
    model = PaymentNotification
    extra = 0
    can_delete = False
    fields = ("received_at", "source", "trade_status", "outcome", "detail")
    readonly_fields = fields
    ordering = ("-received_at",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AttentionFilter(admin.SimpleListFilter):
    title = "异常"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "付款未入账（需人工处理）")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(notifications__outcome__in=ATTENTION_OUTCOMES).distinct()
        return queryset


@admin.register(Order)
class OrderAdmin(ScaledChangelist, ReadOnlyAdmin):
    # The trade number is on the order's page and found by the search; the list keeps to what
    # fits 1,366 px.
    list_display = (
        "out_trade_no",
        "parties",
        "channel",
        "amount",
        "points",
        "status",
        "created_at",
        "paid_at",
    )
    list_filter = ("status", "channel", AttentionFilter, "created_at")
    list_select_related = ("payer", "beneficiary")
    search_fields = ("out_trade_no",)
    search_help_text = f"输入订单号、支付平台交易号，或付款人 / 受益人的{USER_NAMES_HELP}"
    sortable_by = ("created_at",)
    actions = ("ask_gateway",)
    inlines = (NotificationInline,)
    change_list_template = "admin/payments/order/change_list.html"

    @admin.display(description="付款人 → 受益人")
    def parties(self, obj: Order) -> str:
        if obj.payer_id == obj.beneficiary_id:
            return str(obj.payer)
        return f"{obj.payer} → {obj.beneficiary}"

    fieldsets = (
        (None, {"fields": ("out_trade_no", "status", "channel", "subject", "trade_no")}),
        (
            "金额与积分",
            {"fields": ("amount", "points", "rate", "beneficiary_rate", "rate_gap", "credit")},
        ),
        ("用户", {"fields": ("payer", "beneficiary")}),
        ("时间", {"fields": ("created_at", "expires_at", "paid_at", "closed_at", "queried_at")}),
        ("支付平台的回复", {"fields": ("notification_text", "last_query_text")}),
    )
    readonly_fields = ("rate_gap", "notification_text", "last_query_text")

    def search_condition(self, term: str) -> Q:
        if users := user_ids_named(term):
            return Q(payer__in=users) | Q(beneficiary__in=users)
        return Q(out_trade_no=term) | Q(trade_no=term)

    @admin.display(description="费率差（付款人 − 受益人）")
    def rate_gap(self, obj: Order):
        return obj.rate_difference

    @admin.display(description="入账依据（通知或查询结果）")
    def notification_text(self, obj: Order) -> str:
        return pretty_json(obj.notification)

    @admin.display(description="最近一次查询结果")
    def last_query_text(self, obj: Order) -> str:
        return pretty_json(obj.last_query)

    @admin.action(description="向支付平台查询所选订单（已支付则入账，超时则关闭）")
    def ask_gateway(self, request, queryset) -> None:
        pending = queryset.filter(status=OrderStatus.PENDING).values_list("pk", "out_trade_no")
        pending = list(pending[: ASK_AT_ONCE + 1])
        if len(pending) > ASK_AT_ONCE:
            self.message_user(request, f"一次最多查询 {ASK_AT_ONCE} 个订单，其余请再次操作")
            pending = pending[:ASK_AT_ONCE]
        if not pending:
            self.message_user(request, "所选订单都不是待支付状态，无需查询", messages.INFO)
        for pk, out_trade_no in pending:
            result = services.order_reconcile(order_id=pk)
            self.message_user(request, f"{out_trade_no}：{RECONCILED.get(result, result)}")

    def get_urls(self):
        daily = self.admin_site.admin_view(self.daily_totals_view)
        return [
            path("daily/", daily, name="payments_order_daily"),
            *super().get_urls(),
        ]

    def daily_totals_view(self, request):
        context = {
            **self.admin_site.each_context(request),
            "title": "每日充值汇总（近 30 天，北京时间，已支付订单）",
            "rows": selectors.daily_totals(days=30),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/payments/daily_totals.html", context)


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(ScaledChangelist, ReadOnlyAdmin):
    list_display = (
        "received_at",
        "gateway",
        "source",
        "out_trade_no",
        "trade_status",
        "outcome",
        "detail",
        "order",
    )
    list_filter = ("outcome", "gateway", "source")
    search_fields = ("out_trade_no",)
    search_help_text = "输入订单号"
    list_select_related = ("order",)
    fields = (*list_display[:-1], "order", "payload_text")
    readonly_fields = ("payload_text",)

    def search_condition(self, term: str) -> Q:
        return Q(out_trade_no=term)

    @admin.display(description="原始内容")
    def payload_text(self, obj: PaymentNotification) -> str:
        return pretty_json(obj.payload)
