"""The browsable API as staff signed in to the console see it."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/points/transactions", "/user/list?page=1"])
def test_the_breadcrumbs_name_only_pages_that_exist(console, path):
    page = console.get(path, HTTP_ACCEPT="text/html")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="breadcrumb"' in html
    assert "Envelope Not Found" not in html  # /points and /user are no pages of their own


def test_the_console_has_an_icon_and_no_link_to_a_site_that_is_not_there(console):
    page = console.get("/admin/").content.decode()

    assert 'rel="icon" href="/static/csa/favicon.svg"' in page
    assert "查看站点" not in page
    icon = console.get("/favicon.ico")
    assert (icon.status_code, icon["Location"]) == (301, "/static/csa/favicon.svg")


def test_the_console_speaks_chinese_in_its_headers_and_has_no_groups(console):
    index = console.get("/admin/").content.decode()

    for header in ("工单", "项目", "联系表单", "改写服务", "合同", "积分", "账号"):
        assert f">{header}</a>" in index, header
    for english in ("CONTACT", "PROJECTS", "REWRITING", "TICKETS", "Tickets", "Projects"):
        assert f">{english}</a>" not in index, english
    assert console.get("/admin/auth/group/").status_code == 404


def test_the_browsable_api_titles_each_page_with_its_chinese_summary(console):
    page = console.get("/points/transactions", HTTP_ACCEPT="text/html").content.decode()

    assert "<h1>查询积分交易记录</h1>" in page
    assert "<h1>Transactions</h1>" not in page
