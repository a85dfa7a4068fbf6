"""The console's first page: what waits for staff, and the last 30 days in charts.

Every figure is one indexed query; the whole page's figures are kept DASHBOARD_SECONDS in the
shared cache, so a busy console asks the database once a minute whatever the tables hold.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import BusinessAccount, BusinessAccountStatus, User
from contact.models import ContactMessage
from csa.ids import BEIJING
from csa.models import JobFailure
from payments.models import Order, OrderStatus
from points.models import PointsTransaction, TransactionType
from rewriting.models import (
    ACCEPTED_STATUSES,
    DocumentStatus,
    RewritingDocument,
    RewritingTask,
    Service,
    TaskStatus,
)
from tickets.models import Ticket, TicketStatus

DASHBOARD_SECONDS = 60
DAYS = 30
CACHE_KEY = "console:dashboard"


@dataclass(frozen=True)
class Waiting:
    """Something staff should see to: how many, a line about it, and where the list is."""

    label: str
    count: int
    detail: str
    url: str


@dataclass(frozen=True)
class Bar:
    label: str  # the day ("12-07") or the group
    value: Decimal | int
    height: int  # percent of the chart's tallest bar
    x: int  # where it stands in the chart's SVG, whose bars are 10 units apart

    @property
    def top(self) -> int:
        return 100 - self.height


@dataclass(frozen=True)
class Chart:
    title: str
    unit: str
    bars: list[Bar]
    total: Decimal | int | None
    daily: bool  # days along the axis; else groups, listed with their values

    @property
    def width(self) -> int:
        return 10 * len(self.bars)

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def console_dashboard() -> dict:
    """Everything the first page shows, from the cache when it is fresh."""
    dashboard = cache.get(CACHE_KEY)
    if dashboard is None:
        dashboard = {"waiting": waiting(), "charts": charts(), "at": timezone.now()}
        cache.set(CACHE_KEY, dashboard, DASHBOARD_SECONDS)
    return dashboard


# --- what waits ------------------------------------------------------------------------------


def waiting() -> list[Waiting]:
    now = timezone.now()
    tickets = Ticket.objects.filter(status=TicketStatus.PENDING).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    due = now - timedelta(seconds=settings.PAYMENTS_QUERY_AFTER_SECONDS)
    week = now - timedelta(days=7)
    return [
        Waiting(
            "待回复工单",
            tickets["count"],
            f"最早的已等待 {_waited(now - tickets['oldest'])}" if tickets["oldest"] else "无",
            _admin_list("tickets_ticket", status__exact=TicketStatus.PENDING),
        ),
        Waiting(
            "待审核企业账户",
            BusinessAccount.objects.filter(status=BusinessAccountStatus.PENDING).count(),
            "申请激活的企业账户",
            _admin_list("accounts_businessaccount", status__exact=BusinessAccountStatus.PENDING),
        ),
        Waiting(
            "未处理联系消息",
            ContactMessage.objects.filter(is_processed=False).count(),
            "联系表单的来信",
            _admin_list("contact_contactmessage", is_processed__exact=0),
        ),
        Waiting(
            "未受理的改写任务",
            RewritingTask.objects.filter(
                status=TaskStatus.NOT_ACCEPTED, created_at__gte=now - timedelta(days=1)
            ).count(),
            "近 24 小时上游拒绝或无法提交的任务",
            _admin_list("rewriting_rewritingtask", status__exact=TaskStatus.NOT_ACCEPTED),
        ),
        Waiting(
            "失败的文档改写",
            RewritingDocument.objects.filter(
                status=DocumentStatus.FAILED, finished_at__gte=week
            ).count(),
            "近 7 天，可重试失败片段",
            _admin_list("rewriting_rewritingdocument", status__exact=DocumentStatus.FAILED),
        ),
        Waiting(
            "待核对的充值订单",
            Order.objects.filter(status=OrderStatus.PENDING, created_at__lte=due).count(),
            "未收到支付通知，后台将向支付平台查询",
            _admin_list("payments_order", status__exact=OrderStatus.PENDING),
        ),
        Waiting(
            "后台任务失败",
            JobFailure.objects.filter(failed_at__gte=week).count(),
            "近 7 天重试用尽的后台任务",
            _admin_list("csa_jobfailure"),
        ),
    ]


def _waited(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    return f"{hours // 24} 天 {hours % 24} 小时" if hours >= 24 else f"{hours} 小时"


def _admin_list(model: str, **filters) -> str:
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


# --- the last 30 days ------------------------------------------------------------------------


def charts() -> list[Chart]:
    days = _days()
    since = timezone.now() - timedelta(days=DAYS)
    ledger = (
        PointsTransaction.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=BEIJING))
        .values("day")
        .annotate(
            sold=Sum(
                "amount",
                filter=Q(transaction_type=TransactionType.RECHARGE, is_correction=False),
            ),
            spent=Sum("amount", filter=Q(transaction_type=TransactionType.SPEND)),
            refunded=Sum("amount", filter=Q(transaction_type=TransactionType.REFUND)),
        )
    )
    by_day = {row["day"]: row for row in ledger}
    users = (
        User.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=BEIJING))
        .values("day")
        .annotate(n=Count("pk"))
    )
    new_users = {row["day"]: row["n"] for row in users}
    return [
        _daily("每日售出积分（充值）", "积分", days, by_day, "sold"),
        _daily("每日消费积分", "积分", days, by_day, "spent", sign=-1),
        _daily("每日返还积分", "积分", days, by_day, "refunded"),
        _chart("每日新用户", "人", [(f"{d:%m-%d}", new_users.get(d, 0)) for d in days], daily=True),
        *_task_charts(since),
    ]


def _days() -> list[date]:
    today = timezone.now().astimezone(BEIJING).date()
    return [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]


def _daily(title: str, unit: str, days: list[date], by_day: dict, key: str, sign: int = 1):
    values = [(f"{d:%m-%d}", sign * (by_day.get(d, {}).get(key) or 0)) for d in days]
    return _chart(title, unit, values, daily=True)


def _task_charts(since) -> list[Chart]:
    rows = (
        RewritingTask.objects.filter(created_at__gte=since)
        .values("service", "status")
        .annotate(n=Count("pk"))
    )
    counts = {(row["service"], row["status"]): row["n"] for row in rows}
    per_status = [
        (f"{service.label} {status.label}", counts.get((service.value, status.value), 0))
        for service in Service
        for status in TaskStatus
    ]
    failure_rates = []
    for service in Service:
        accepted = sum(counts.get((service.value, status), 0) for status in ACCEPTED_STATUSES)
        failed = counts.get((service.value, TaskStatus.FAILED), 0)
        rate = Decimal(failed * 100) / accepted if accepted else Decimal(0)
        failure_rates.append((service.label, rate.quantize(Decimal("0.1"))))
    return [
        _chart("近 30 天改写任务（上游 · 状态）", "个", per_status),
        _chart("近 30 天各上游失败率", "%", failure_rates, total=None),
    ]


def _chart(title: str, unit: str, values: list[tuple], *, total=0, daily=False) -> Chart:
    tallest = max((value for _, value in values), default=0) or 1
    bars = [
        Bar(label, value, int(value * 100 / tallest) if value > 0 else 0, 10 * place + 1)
        for place, (label, value) in enumerate(values)
    ]
    summed = sum(value for _, value in values) if total is not None else None
    return Chart(title=title, unit=unit, bars=bars, total=summed, daily=daily)
