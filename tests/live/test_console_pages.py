"""Every page of the staff console, opened by staff in headless Chromium at 1,366 px: none answers
a 5xx, none is wider than the window. Each page's screenshot is kept (CONSOLE_SCREENSHOTS, by
default var/screenshots/console/) for people to look at."""

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from accounts.models import Role
from contracts.services import contract_create
from oidc.services import client_create
from payments.models import Channel
from payments.services import order_create
from points.services import points_recharge, points_spend
from projects.models import Project
from rewriting.models import RewritingTask, TaskStatus
from tests.accounts.business_factories import BusinessAccountFactory
from tests.contact.factories import ContactMessageFactory
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.live.processes import PROJECT_ROOT
from tests.tickets.factories import TicketFactory

WIDTH, HEIGHT = 1366, 900
# How wide the page is, or the widest table its own scroll box hides columns of (a list whose
# last columns are cut off fits the window and is still unreadable).
WIDEST = """
Math.max(
  document.documentElement.scrollWidth,
  ...[...document.querySelectorAll('#changelist .results, .inline-group .tabular')].map(
    (box) => box.scrollWidth > box.clientWidth + 1 ? document.documentElement.clientWidth
      + box.scrollWidth - box.clientWidth : 0)
)
"""
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(
    os.environ.get("CONSOLE_SCREENSHOTS", PROJECT_ROOT / "var" / "screenshots" / "console")
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (.ci/run installs it)"),
]


def records(staff) -> None:
    """One of everything the console lists, so that every change page has a row to open."""
    customer = UserFactory(username="customer01", phone="+8613800138000")
    TicketFactory(creator=customer)
    BusinessAccountFactory(owner=customer)
    ContactMessageFactory()
    contract_create(
        owner=customer, title="服务合同", content_markdown="# 条款\n\n- 一\n- 二", actor=staff
    )
    Project.objects.create(owner=customer, name="改写项目", overview_markdown="## 概述\n\n内容")
    points_recharge(user=customer, amount=Decimal(100))
    spend = points_spend(
        user=customer, amount=Decimal(3), description="降重（知网版）", reference_id="t1"
    )
    RewritingTask.objects.create(
        owner=customer,
        text="需要降重的文本内容" * 20,
        platform="zhiwang",
        task_type="reduce-plagiarism",
        service="reduceai",
        tool="onlyjc",
        upstream_task_id="onlyjc_98631379_1758017276001",
        cost=Decimal(3),
        status=TaskStatus.PROCESSING,
        spend=spend,
        progress=40,
    )
    order_create(
        payer=customer, beneficiary=customer, channel=Channel.ALIPAY_PAGE, amount=Decimal(10)
    )
    client_create(
        owner=customer,
        name="客户的第三方应用",
        redirect_uris=["https://app.example.com/oauth/callback", "http://127.0.0.1:8080/cb"],
        grant_types=["authorization_code", "refresh_token", "client_credentials"],
        scopes=["openid", "profile", "email"],
    )


def console_pages() -> list[tuple[str, str]]:
    """(name, path) of every list, add and change page the console offers."""
    pages = [("index", reverse("admin:index"))]
    for model in admin.site._registry:
        opts = model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        pages.append((f"{name}-list", reverse(f"admin:{name}_changelist")))
        for pk in model._default_manager.order_by().values_list("pk", flat=True)[:1]:
            pages.append((f"{name}-change", reverse(f"admin:{name}_change", args=[pk])))
        try:
            pages.append((f"{name}-add", reverse(f"admin:{name}_add")))
        except NoReverseMatch:
            continue
    return pages


def test_every_console_page_fits_1366_px_and_answers(live_server):
    from playwright.sync_api import sync_playwright

    staff = UserFactory(email="staff@example.com", role=Role.ADMIN)
    records(staff)
    pages = console_pages()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", staff.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("input[type=submit]")
        for name, path in pages:
            response = page.goto(f"{live_server.url}{path}")
            width = page.evaluate(WIDEST)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
            if response is None or response.status >= 500:
                problems.append(f"{path}: {response and response.status}")
            elif width > WIDTH:
                problems.append(f"{path}: {width} px wide")
        browser.close()

    assert len(pages) > 40
    assert problems == [], "\n".join(problems)
