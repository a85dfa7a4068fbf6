"""The staff console for contracts: write one for a customer, preview, sign, filter, history."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from contracts.models import Contract
from csa.rendering import markdown_to_safe_html
from tests.contracts.factories import ContractFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOSTILE_MARKDOWN = "\n\n".join(
    [
        "# 条款",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
    ]
)
UNSAFE_MARKERS = ("<script", "onerror", "javascript:")


@pytest.fixture
def customer() -> User:
    return UserFactory(email="customer@example.com")


def change_form(contract: Contract, **overrides) -> dict:
    form = {
        "title": contract.title,
        "content_markdown": contract.content_markdown,
        "is_signed": "on" if contract.is_signed else "",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value != ""}


def preview_of(page: str) -> str:
    """The rendered preview on a change page, apart from the textarea holding the source."""
    match = re.search(r'class="contract-preview">(.*?)</div>', page, re.DOTALL)
    assert match, "no preview on the page"
    return match.group(1)


def test_staff_add_a_contract_the_customer_then_reads_and_signs(
    console, customer, api_client, make_token
):
    response = console.post(
        reverse("admin:contracts_contract_add"),
        {"owner": customer.pk, "title": "云服务合同（2025版）", "content_markdown": "# 正文"},
    )

    assert response.status_code == 302
    contract = Contract.objects.get(owner=customer)
    assert (contract.title, contract.is_signed, contract.updated_at) == (
        "云服务合同（2025版）",
        False,
        None,
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(customer)}")
    mine = api_client.get("/api/contracts/me").json()
    assert mine["total"] == 1
    assert mine["items"][0]["id"] == str(contract.pk)
    assert mine["items"][0]["owner_email"] == "customer@example.com"
    signed = api_client.patch(
        f"/api/contracts/{contract.pk}/sign-status", {"is_signed": True}, format="json"
    )
    assert signed.status_code == 200
    assert signed.json()["is_signed"] is True


def test_staff_add_a_signed_contract_leaves_a_history_row(console, staff, customer):
    console.post(
        reverse("admin:contracts_contract_add"),
        {"owner": customer.pk, "title": "已签合同", "content_markdown": "正文", "is_signed": "on"},
    )

    contract = Contract.objects.get(owner=customer)
    assert contract.is_signed is True
    assert contract.signed_at is not None
    change = contract.changes.get()
    assert (change.actor, change.field, change.new_value) == (staff, "is_signed", "True")


def test_add_needs_a_customer_title_and_content(console):
    response = console.post(reverse("admin:contracts_contract_add"), {"title": "", "owner": ""})

    assert response.status_code == 200
    assert not Contract.objects.exists()


def test_customer_is_picked_by_email(console, customer):
    UserFactory(email="someone@example.com")
    url = reverse("admin:autocomplete")
    params = {
        "app_label": "contracts",
        "model_name": "contract",
        "field_name": "owner",
        "term": "customer@",
    }

    results = console.get(url, params).json()["results"]

    assert results == [{"id": str(customer.pk), "text": "customer@example.com"}]


def test_staff_edits_and_signs_in_the_form_with_history(console, staff):
    contract = ContractFactory(title="旧标题")
    url = reverse("admin:contracts_contract_change", args=[contract.pk])

    response = console.post(url, change_form(contract, title="新标题", is_signed="on"))

    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.title == "新标题"
    assert contract.is_signed is True
    assert contract.signed_at is not None
    assert contract.updated_at is not None
    rows = contract.changes.order_by("created_at", "id")
    assert [(r.actor, r.field, r.old_value, r.new_value) for r in rows] == [
        (staff, "title", "旧标题", "新标题"),
        (staff, "is_signed", "False", "True"),
    ]


def test_staff_unsigns_in_the_form(console, staff):
    contract = ContractFactory()
    url = reverse("admin:contracts_contract_change", args=[contract.pk])
    console.post(url, change_form(contract, is_signed="on"))
    contract.refresh_from_db()

    console.post(url, change_form(contract, is_signed=""))

    contract.refresh_from_db()
    assert contract.is_signed is False
    assert contract.signed_at is None
    assert contract.changes.count() == 2


def test_owner_cannot_be_changed(console, customer):
    contract = ContractFactory(owner=customer)
    url = reverse("admin:contracts_contract_change", args=[contract.pk])

    console.post(url, change_form(contract, owner=UserFactory().pk))

    contract.refresh_from_db()
    assert contract.owner == customer


def test_change_page_shows_the_history(console, staff):
    contract = ContractFactory(title="旧标题")
    url = reverse("admin:contracts_contract_change", args=[contract.pk])
    console.post(url, change_form(contract, title="新标题"))

    page = console.get(url).content.decode()

    assert "staff@example.com" in page
    assert "旧标题" in page
    assert "新标题" in page


def test_markdown_preview_is_sanitized():
    html = markdown_to_safe_html(HOSTILE_MARKDOWN)

    assert "<h1>条款</h1>" in html
    for marker in UNSAFE_MARKERS:
        assert marker not in html


def test_change_page_preview_is_sanitized(console):
    contract = ContractFactory(content_markdown=HOSTILE_MARKDOWN)

    page = console.get(reverse("admin:contracts_contract_change", args=[contract.pk]))

    assert page.status_code == 200
    preview = preview_of(page.content.decode())
    assert "<h1>条款</h1>" in preview
    for marker in UNSAFE_MARKERS:
        assert marker not in preview


def test_list_filters_by_sign_status(console):
    ContractFactory(title="待签合同")
    signed = ContractFactory(title="已签合同")
    Contract.objects.filter(pk=signed.pk).update(is_signed=True, signed_at=signed.created_at)
    url = reverse("admin:contracts_contract_changelist")

    signed_page = console.get(url, {"is_signed__exact": "1"}).content.decode()
    pending_page = console.get(url, {"is_signed__exact": "0"}).content.decode()

    assert "已签合同" in signed_page
    assert "待签合同" not in signed_page
    assert "待签合同" in pending_page
    assert "已签合同" not in pending_page


def test_list_searches_title_and_owner_email(console, customer):
    ContractFactory(owner=customer, title="云服务合同")
    ContractFactory(owner=UserFactory(email="other@example.com"), title="维护合同")
    url = reverse("admin:contracts_contract_changelist")

    by_title = console.get(url, {"q": "云服务"}).content.decode()
    by_email = console.get(url, {"q": "other@"}).content.decode()

    assert "云服务合同" in by_title
    assert "维护合同" not in by_title
    assert "维护合同" in by_email
    assert "云服务合同" not in by_email


def test_list_queries_do_not_grow_with_rows(console, django_assert_max_num_queries):
    url = reverse("admin:contracts_contract_changelist")
    ContractFactory.create_batch(2)
    with django_assert_max_num_queries(100) as few:
        console.get(url)
    ContractFactory.create_batch(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        console.get(url)


def test_contracts_are_not_deleted_from_the_console(console):
    contract = ContractFactory()

    response = console.post(
        reverse("admin:contracts_contract_delete", args=[contract.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Contract.objects.filter(pk=contract.pk).exists()


def test_customers_cannot_open_the_contract_console(customer):
    client = Client()
    client.force_login(customer)

    response = client.get(reverse("admin:contracts_contract_changelist"))

    assert response.status_code == 302


def test_the_contract_form_previews_its_markdown_while_staff_type(console, customer):
    page = console.get(reverse("admin:contracts_contract_add")).content.decode()

    assert 'data-markdown-preview="/admin/markdown-preview/"' in page
    assert "csa/markdown-preview.js" in page and "csa/markdown.css" in page


def test_the_preview_is_the_customers_sanitized_html(console):
    answer = console.post("/admin/markdown-preview/", {"text": HOSTILE_MARKDOWN})

    assert answer.status_code == 200
    html = answer.json()["html"]
    assert "<h1>条款</h1>" in html
    for marker in UNSAFE_MARKERS:
        assert marker not in html
    assert console.get("/admin/markdown-preview/").status_code == 405


def test_only_staff_get_a_preview(client, customer):
    client.force_login(customer)

    answer = client.post("/admin/markdown-preview/", {"text": "# 条款"})

    assert answer.status_code == 302  # to the console's login
    assert "/admin/login/" in answer["Location"]
