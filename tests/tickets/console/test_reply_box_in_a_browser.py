"""ticket_reply.js in Chromium, under the site's Content-Security-Policy: choosing a common reply
puts its text into the reply box, after what is typed there."""

import shutil

import pytest
from django.conf import settings

from accounts.models import Role
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.tickets.console.pages import change_url
from tests.tickets.factories import TicketFactory
from tickets.models import CannedReply

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The policy production sends (the test server runs without its middleware).
POLICY = "; ".join(
    f"{name} {' '.join(sources)}"
    for name, sources in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items()
)


def with_the_policy(route) -> None:
    response = route.fetch()
    route.fulfill(
        response=response, headers={**response.headers, "content-security-policy": POLICY}
    )


pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (.ci/run installs it)"),
]


def test_a_chosen_common_reply_goes_into_the_reply_box(live_server):
    from playwright.sync_api import sync_playwright

    staff = UserFactory(email="staff@example.com", role=Role.ADMIN)
    canned = CannedReply.objects.create(title="刷新重试", body="请刷新后重试。")
    ticket = TicketFactory()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.route("**/*", with_the_policy)
        refused = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", staff.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}{change_url(ticket)}")

        page.fill("textarea[name=reply]", "您好，")
        page.select_option("select[name=canned_reply]", str(canned.pk))

        assert page.input_value("textarea[name=reply]") == "您好，\n\n请刷新后重试。"
        assert page.input_value("select[name=canned_reply]") == ""
        page.evaluate("document.body.appendChild(document.createElement('script')).text = '1'")
        browser.close()
    assert len(refused) == 1  # the inline script added above, and nothing of the page's
