"""The console's first page: what waits for staff, and the last 30 days in charts."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from csa.dashboard import CACHE_KEY, console_dashboard
from csa.models import JobFailure
from payments.models import Channel, Order
from payments.services import order_create
from points.services import points_adjust, points_recharge, points_spend
from rewriting.models import RewritingTask, TaskStatus
from tests.accounts.business_factories import BusinessAccountFactory
from tests.contact.factories import ContactMessageFactory
from tests.factories import UserFactory
from tests.tickets.factories import TicketFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def waiting_of(page: str) -> dict[str, int]:
    found = re.findall(r"<strong>(\d+)</strong> ([^<]+)</a>", page)
    return {label.strip(): int(count) for count, label in found}


def something_of_each(staff) -> None:
    ticket = TicketFactory()
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(hours=27))
    BusinessAccountFactory()
    ContactMessageFactory()
    customer = UserFactory()
    RewritingTask.objects.create(
        owner=customer,
        text="文本",
        platform="zhiwang",
        task_type="reduce-plagiarism",
        service="reduceai",
        tool="onlyjc",
        cost=Decimal("0.006"),
        status=TaskStatus.NOT_ACCEPTED,
    )
    order = order_create(
        payer=customer, beneficiary=customer, channel=Channel.ALIPAY_PAGE, amount=Decimal(10)
    )
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=1))
    JobFailure.objects.create(job="rewriting.tasks.poll_rewriting_task", error="boom")
    points_recharge(user=customer, amount=Decimal(50))
    points_spend(user=customer, amount=Decimal("3.5"), description="降重", reference_id="t1")
    points_adjust(user=customer, amount=Decimal(-1), description="误充", recorded_by=staff)


def test_the_first_page_shows_what_waits_and_how_long(console, staff):
    something_of_each(staff)

    page = console.get("/admin/").content.decode()

    assert waiting_of(page) == {
        "待回复工单": 1,
        "待审核企业账户": 1,
        "未处理联系消息": 1,
        "未受理的改写任务": 1,
        "失败的文档改写": 0,
        "待核对的充值订单": 1,
        "后台任务失败": 1,
    }
    assert "最早的已等待 1 天 3 小时" in page
    assert 'href="/admin/tickets/ticket/?status__exact=pending"' in page


def test_the_charts_count_what_was_sold_spent_and_refunded_today(console, staff):
    something_of_each(staff)

    charts = {chart.title: chart for chart in console_dashboard()["charts"]}

    assert charts["每日售出积分（充值）"].total == 50  # the correction is no sale
    assert charts["每日消费积分"].total == Decimal("3.5")
    assert charts["每日新用户"].bars[-1].value >= 2
    assert len(charts["每日新用户"].bars) == 30
    page = console.get("/admin/").content.decode()
    drawn = [chart for chart in charts.values() if not chart.empty]
    assert page.count('<svg viewBox="0 0 ') == len(drawn)
    assert page.count("暂无数据") == len(charts) - len(drawn)
    assert "合计 50" in page


def test_the_first_page_costs_the_same_however_much_there_is_and_is_kept_a_minute(
    console, staff, django_assert_max_num_queries
):
    something_of_each(staff)
    with django_assert_max_num_queries(100) as first:
        console.get("/admin/")
    cache.delete(CACHE_KEY)
    for _ in range(3):
        something_of_each(staff)

    with django_assert_max_num_queries(len(first.captured_queries)):
        console.get("/admin/")
    with django_assert_max_num_queries(len(first.captured_queries) - 10):
        console.get("/admin/")  # from the cache: the figures' queries are not made again
