"""Services and selectors of contracts, called directly."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from contracts import selectors, services
from contracts.models import Contract
from csa.errors import ApplicationError, ForbiddenError, NotFoundError
from tests.contracts.factories import ContractFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(email="staff@example.com", role=Role.ADMIN)


def history(contract: Contract) -> list[tuple]:
    rows = contract.changes.select_related("actor").order_by("created_at", "id")
    return [(row.actor, row.field, row.old_value, row.new_value) for row in rows]


def test_create_an_unsigned_contract_without_history(staff, user):
    contract = services.contract_create(
        owner=user, title="云服务合同", content_markdown="# 正文", actor=staff
    )

    contract.refresh_from_db()
    assert contract.owner == user
    assert (contract.title, contract.content_markdown) == ("云服务合同", "# 正文")
    assert contract.is_signed is False
    assert contract.signed_at is None
    assert contract.updated_at is None
    assert history(contract) == []


def test_only_an_admin_writes_contracts(user):
    with pytest.raises(ForbiddenError):
        services.contract_create(owner=user, title="t", content_markdown="c", actor=user)
    contract = ContractFactory(owner=user)
    with pytest.raises(ForbiddenError):
        services.contract_update(contract=contract, actor=user, changes={"title": "mine now"})
    contract.refresh_from_db()
    assert contract.title != "mine now"


def test_update_records_each_changed_field(staff):
    contract = ContractFactory(title="旧标题", content_markdown="旧内容")

    services.contract_update(
        contract=contract,
        actor=staff,
        changes={"title": "新标题", "content_markdown": "旧内容"},
    )

    contract.refresh_from_db()
    assert contract.title == "新标题"
    assert contract.updated_at is not None
    assert history(contract) == [(staff, "title", "旧标题", "新标题")]


def test_update_without_a_difference_changes_nothing(staff):
    contract = ContractFactory(title="标题")

    services.contract_update(contract=contract, actor=staff, changes={"title": "标题"})

    contract.refresh_from_db()
    assert contract.updated_at is None
    assert history(contract) == []


def test_content_sent_back_with_browser_line_breaks_is_unchanged(staff):
    contract = ContractFactory(content_markdown="# 合同\n\n正文")

    services.contract_update(
        contract=contract, actor=staff, changes={"content_markdown": "# 合同\r\n\r\n正文"}
    )

    contract.refresh_from_db()
    assert contract.content_markdown == "# 合同\n\n正文"
    assert contract.updated_at is None
    assert history(contract) == []


def test_update_passes_the_sign_status_to_its_own_rule(staff):
    contract = ContractFactory()

    updated = services.contract_update(
        contract=contract, actor=staff, changes={"title": "签署版", "is_signed": True}
    )

    assert updated.is_signed is True
    assert updated.signed_at is not None
    assert history(contract) == [
        (staff, "title", contract.title, "签署版"),
        (staff, "is_signed", "False", "True"),
    ]


def test_update_refuses_other_fields(staff):
    contract = ContractFactory()

    with pytest.raises(ApplicationError, match="owner"):
        services.contract_update(contract=contract, actor=staff, changes={"owner": staff})


def test_sign_and_unsign_by_the_owner(user):
    contract = ContractFactory(owner=user)

    signed = services.contract_sign_status_set(contract=contract, actor=user, is_signed=True)
    assert signed.is_signed is True
    assert signed.signed_at is not None
    assert signed.updated_at == signed.signed_at

    unsigned = services.contract_sign_status_set(contract=contract, actor=user, is_signed=False)
    assert unsigned.is_signed is False
    assert unsigned.signed_at is None
    assert history(contract) == [
        (user, "is_signed", "False", "True"),
        (user, "is_signed", "True", "False"),
    ]


def test_sign_by_a_stranger_is_refused(user):
    contract = ContractFactory()

    with pytest.raises(ForbiddenError, match="无权更新此合同的签署状态"):
        services.contract_sign_status_set(contract=contract, actor=user, is_signed=True)

    contract.refresh_from_db()
    assert contract.is_signed is False
    assert history(contract) == []


@pytest.mark.parametrize("role", [Role.USER, Role.AGENT])
def test_only_the_admin_role_signs_for_others(role):
    contract = ContractFactory()

    with pytest.raises(ForbiddenError):
        services.contract_sign_status_set(
            contract=contract, actor=UserFactory(role=role), is_signed=True
        )


def test_sign_by_an_admin(staff):
    contract = ContractFactory()

    assert services.contract_sign_status_set(
        contract=contract, actor=staff, is_signed=True
    ).is_signed


def test_sign_a_deleted_contract_is_not_found(user):
    contract = ContractFactory(owner=user)
    Contract.objects.filter(pk=contract.pk).delete()

    with pytest.raises(NotFoundError, match="合同不存在"):
        services.contract_sign_status_set(contract=contract, actor=user, is_signed=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_sign_locks_only_the_contract_row(user):
    contract = ContractFactory(owner=user)

    with CaptureQueriesContext(connection) as queries:
        services.contract_sign_status_set(contract=contract, actor=user, is_signed=True)

    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1
    assert locks[0].endswith('FOR UPDATE OF "contracts_contract"')


def test_the_database_keeps_signed_at_with_is_signed(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(owner=user, title="t", content_markdown="c", is_signed=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(
            owner=user, title="t", content_markdown="c", signed_at=timezone.now()
        )


def test_list_for_owner_holds_only_theirs(user):
    mine = ContractFactory(owner=user)
    ContractFactory()

    assert list(selectors.contract_list_for_owner(user=user)) == [mine]


def test_get_own_contract_stranger_and_admin(user, staff):
    contract = ContractFactory(owner=user)

    assert selectors.contract_get(user=user, contract_id=str(contract.pk)) == contract
    assert selectors.contract_get(user=staff, contract_id=str(contract.pk)) == contract
    with pytest.raises(ForbiddenError, match="无权访问此合同"):
        selectors.contract_get(user=UserFactory(), contract_id=str(contract.pk))


@pytest.mark.parametrize("contract_id", ["3f2b8c1e-9d4a-4b7e-a1c2-5e6f7a8b9c0d", "nope", ""])
def test_get_missing_contract(user, contract_id):
    with pytest.raises(NotFoundError, match="合同不存在"):
        selectors.contract_get(user=user, contract_id=contract_id)
