from django.db.models import QuerySet

from accounts.models import User
from contracts.models import Contract
from contracts.permissions import contract_is_accessible_by
from csa.errors import ForbiddenError, NotFoundError
from csa.ids import uuid_or_none

CONTRACT_NOT_FOUND = "合同不存在"
CONTRACT_ACCESS_DENIED = "无权访问此合同"


def contract_list_for_owner(*, user: User) -> QuerySet[Contract]:
    """The user's own contracts, newest first; an admin sees only theirs here too."""
    return (
        Contract.objects.filter(owner=user).select_related("owner").order_by("-created_at", "-id")
    )


def contract_find(*, contract_id: str) -> Contract:
    """The contract with this id, whoever owns it; the caller checks what the actor may do."""
    pk = uuid_or_none(contract_id)
    contract = (
        None if pk is None else Contract.objects.select_related("owner").filter(pk=pk).first()
    )
    if contract is None:
        raise NotFoundError(CONTRACT_NOT_FOUND)
    return contract


def contract_get(*, user: User, contract_id: str) -> Contract:
    contract = contract_find(contract_id=contract_id)
    if not contract_is_accessible_by(contract, user):
        raise ForbiddenError(CONTRACT_ACCESS_DENIED)
    return contract
