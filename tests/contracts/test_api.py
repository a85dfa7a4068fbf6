"""The customer's contract routes: 4.1 list, 4.2 detail, 4.3 sign status."""

import uuid

import pytest

from contracts.models import Contract, ContractChange
from tests.contracts.factories import ContractFactory, contracts_created_in_order
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTRACT_FIELDS = {
    "id",
    "owner_email",
    "title",
    "content_markdown",
    "is_signed",
    "created_at",
    "updated_at",
}


def sign_url(contract_id) -> str:
    return f"/api/contracts/{contract_id}/sign-status"


@pytest.fixture
def strangers_contract() -> Contract:
    return ContractFactory(owner=UserFactory(email="other@example.com"))


# --- 4.1 GET /api/contracts/me --------------------------------------------------------------


def test_list_answers_total_and_items_of_my_contracts(auth_client, user):
    mine = ContractFactory(owner=user, title="云服务合同（2025版）")
    ContractFactory()  # someone else's

    response = auth_client.get("/api/contracts/me")

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    (item,) = body["items"]
    assert set(item) == CONTRACT_FIELDS
    assert item["id"] == str(mine.pk)
    assert item["owner_email"] == user.email
    assert item["title"] == "云服务合同（2025版）"
    assert item["content_markdown"] == mine.content_markdown
    assert item["is_signed"] is False
    assert item["created_at"]
    assert item["updated_at"] is None


def test_list_is_empty_without_contracts(auth_client):
    response = auth_client.get("/api/contracts/me")

    assert response.status_code == 200
    assert response.json() == {"total": 0, "items": []}


def test_list_is_newest_first(auth_client, user):
    contracts = contracts_created_in_order(user, 3)

    items = auth_client.get("/api/contracts/me").json()["items"]

    assert [item["id"] for item in items] == [str(c.pk) for c in reversed(contracts)]


def test_list_pages_with_skip_and_limit(auth_client, user):
    contracts = list(reversed(contracts_created_in_order(user, 15)))

    first = auth_client.get("/api/contracts/me").json()
    page = auth_client.get("/api/contracts/me", {"skip": 10, "limit": 3}).json()
    tail = auth_client.get("/api/contracts/me", {"skip": 14, "limit": 100}).json()
    beyond = auth_client.get("/api/contracts/me", {"skip": 20}).json()

    assert first["total"] == 15
    assert [item["id"] for item in first["items"]] == [str(c.pk) for c in contracts[:10]]
    assert page["total"] == 15
    assert [item["id"] for item in page["items"]] == [str(c.pk) for c in contracts[10:13]]
    assert [item["id"] for item in tail["items"]] == [str(contracts[14].pk)]
    assert beyond == {"total": 15, "items": []}


def test_a_skip_past_the_databases_integers_is_an_empty_page(auth_client, user):
    # Found by the fuzz run: an OFFSET past 2**63 was a 500 on every database.
    ContractFactory(owner=user)

    response = auth_client.get("/api/contracts/me", {"skip": 2**80, "limit": 10})

    assert response.status_code == 200
    assert response.json() == {"total": 1, "items": []}


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"limit": 101}, "limit不能大于100"),
        ({"limit": 0}, "limit不能小于1"),
        ({"skip": -1}, "skip不能小于0"),
        ({"limit": "ten"}, "limit格式不正确"),
    ],
)
def test_list_refuses_bad_paging(auth_client, params, detail):
    response = auth_client.get("/api/contracts/me", params)

    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_list_of_an_admin_holds_only_their_own(admin_client):
    ContractFactory()

    assert admin_client.get("/api/contracts/me").json() == {"total": 0, "items": []}


def test_list_needs_a_token(api_client):
    response = api_client.get("/api/contracts/me")

    assert response.status_code == 401
    assert response.json() == {"detail": "未提供认证凭据"}


@pytest.mark.parametrize("count", [3, 6])
def test_list_costs_three_queries_whatever_the_rows(
    auth_client, user, count, django_assert_num_queries
):
    contracts_created_in_order(user, count)

    # session+user, count, page (owner joined)
    with django_assert_num_queries(3):
        response = auth_client.get("/api/contracts/me")

    assert len(response.json()["items"]) == count


# --- 4.2 GET /api/contracts/{contract_id} ---------------------------------------------------


def test_detail_of_my_contract(auth_client, user):
    contract = ContractFactory(owner=user)

    response = auth_client.get(f"/api/contracts/{contract.pk}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == CONTRACT_FIELDS
    assert body["id"] == str(contract.pk)
    assert body["owner_email"] == user.email
    assert body["is_signed"] is False


def test_detail_of_someone_elses_contract_is_forbidden(auth_client, strangers_contract):
    response = auth_client.get(f"/api/contracts/{strangers_contract.pk}")

    assert response.status_code == 403
    assert response.json() == {"detail": "无权访问此合同"}


@pytest.mark.parametrize("contract_id", [uuid.uuid4(), "not-a-uuid", "507f1f77bcf86cd799439030"])
def test_detail_of_a_missing_contract(auth_client, contract_id):
    response = auth_client.get(f"/api/contracts/{contract_id}")

    assert response.status_code == 404
    assert response.json() == {"detail": "合同不存在"}


def test_admin_reads_any_contract(admin_client, strangers_contract):
    response = admin_client.get(f"/api/contracts/{strangers_contract.pk}")

    assert response.status_code == 200
    assert response.json()["owner_email"] == "other@example.com"


def test_detail_needs_a_token(api_client):
    contract = ContractFactory()

    assert api_client.get(f"/api/contracts/{contract.pk}").status_code == 401


def test_detail_costs_two_queries(auth_client, user, django_assert_num_queries):
    contract = ContractFactory(owner=user)

    # session+user, contract with its owner
    with django_assert_num_queries(2):
        response = auth_client.get(f"/api/contracts/{contract.pk}")

    assert response.status_code == 200


# --- 4.3 PATCH /api/contracts/{contract_id}/sign-status -------------------------------------


def test_sign_my_contract(auth_client, user):
    contract = ContractFactory(owner=user)

    response = auth_client.patch(sign_url(contract.pk), {"is_signed": True}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == CONTRACT_FIELDS
    assert body["is_signed"] is True
    assert body["updated_at"] is not None
    contract.refresh_from_db()
    assert contract.is_signed is True
    assert contract.signed_at is not None
    assert auth_client.get(f"/api/contracts/{contract.pk}").json()["is_signed"] is True


def test_unsign_my_contract_clears_the_signing_time(auth_client, user):
    contract = ContractFactory(owner=user)
    auth_client.patch(sign_url(contract.pk), {"is_signed": True}, format="json")

    response = auth_client.patch(sign_url(contract.pk), {"is_signed": False}, format="json")

    assert response.status_code == 200
    assert response.json()["is_signed"] is False
    contract.refresh_from_db()
    assert contract.is_signed is False
    assert contract.signed_at is None


def test_signing_leaves_history_rows(auth_client, user):
    contract = ContractFactory(owner=user)

    auth_client.patch(sign_url(contract.pk), {"is_signed": True}, format="json")
    auth_client.patch(sign_url(contract.pk), {"is_signed": False}, format="json")

    rows = list(contract.changes.order_by("created_at", "id"))
    assert [(r.actor, r.field, r.old_value, r.new_value) for r in rows] == [
        (user, "is_signed", "False", "True"),
        (user, "is_signed", "True", "False"),
    ]


def test_signing_twice_keeps_the_first_signing(auth_client, user):
    contract = ContractFactory(owner=user)
    auth_client.patch(sign_url(contract.pk), {"is_signed": True}, format="json")
    contract.refresh_from_db()
    first = (contract.signed_at, contract.updated_at)

    response = auth_client.patch(sign_url(contract.pk), {"is_signed": True}, format="json")

    assert response.status_code == 200
    assert response.json()["is_signed"] is True
    contract.refresh_from_db()
    assert (contract.signed_at, contract.updated_at) == first
    assert contract.changes.count() == 1


def test_signing_someone_elses_contract_is_forbidden(auth_client, strangers_contract):
    response = auth_client.patch(
        sign_url(strangers_contract.pk), {"is_signed": True}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "无权更新此合同的签署状态"}
    strangers_contract.refresh_from_db()
    assert strangers_contract.is_signed is False
    assert strangers_contract.signed_at is None
    assert strangers_contract.updated_at is None
    assert not strangers_contract.changes.exists()


def test_admin_signs_any_contract(admin_client, strangers_contract):
    response = admin_client.patch(
        sign_url(strangers_contract.pk), {"is_signed": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["is_signed"] is True
    assert response.json()["owner_email"] == "other@example.com"
    change = ContractChange.objects.get(contract=strangers_contract)
    assert change.actor.email == "boss@example.com"


@pytest.mark.parametrize("contract_id", [uuid.uuid4(), "not-a-uuid"])
def test_signing_a_missing_contract(auth_client, contract_id):
    response = auth_client.patch(sign_url(contract_id), {"is_signed": True}, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "合同不存在"}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"is_signed": "maybe"}, "签署状态必须是布尔值"),
        ({"is_signed": None}, "签署状态不能为空"),
        ({"is_signed": [True]}, "签署状态必须是布尔值"),
        ({}, "签署状态不能为空"),
    ],
)
def test_sign_status_must_be_a_boolean(auth_client, user, body, detail):
    contract = ContractFactory(owner=user)

    response = auth_client.patch(sign_url(contract.pk), body, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    contract.refresh_from_db()
    assert contract.is_signed is False


def test_sign_status_body_must_be_json(auth_client, user):
    contract = ContractFactory(owner=user)

    response = auth_client.patch(sign_url(contract.pk), "is_signed=true", content_type="text/plain")

    assert response.status_code == 415
    contract.refresh_from_db()
    assert contract.is_signed is False


def test_sign_status_needs_a_token(api_client):
    contract = ContractFactory()

    response = api_client.patch(sign_url(contract.pk), {"is_signed": True}, format="json")

    assert response.status_code == 401
    contract.refresh_from_db()
    assert contract.is_signed is False


def test_sign_status_queries(auth_client, user, django_assert_num_queries):
    contract = ContractFactory(owner=user)

    # session+user, lookup, savepoint, locked re-read, update, history insert, release
    with django_assert_num_queries(7):
        response = auth_client.patch(sign_url(contract.pk), {"is_signed": True}, format="json")

    assert response.status_code == 200


# --- OpenAPI --------------------------------------------------------------------------------


def test_schema_documents_the_contract_routes(api_client):
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert {"200", "401", "422"} <= set(paths["/api/contracts/me"]["get"]["responses"])
    assert {"200", "401", "403", "404"} <= set(
        paths["/api/contracts/{contract_id}"]["get"]["responses"]
    )
    patch = paths["/api/contracts/{contract_id}/sign-status"]["patch"]
    assert {"200", "401", "403", "404", "422"} <= set(patch["responses"])
    assert patch["requestBody"]["required"] is True
