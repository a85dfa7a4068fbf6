from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.text import normalize_newlines

from accounts.models import Role, User
from contracts.models import Contract, ContractChange
from contracts.permissions import contract_is_accessible_by
from contracts.selectors import CONTRACT_NOT_FOUND
from csa.errors import ApplicationError, ForbiddenError, NotFoundError
from csa.history import record_changes, snapshot

SIGN_STATUS_DENIED = "无权更新此合同的签署状态"
EDIT_DENIED = "只有管理员可以编写合同"
EDITABLE_FIELDS = ("title", "content_markdown")


def _require_admin(actor: User) -> None:
    """Staff write contracts; customers only read and sign them."""
    if actor.role != Role.ADMIN:
        raise ForbiddenError(EDIT_DENIED)


def _contract_lock(contract: Contract) -> Contract:
    """The stored row, locked until the transaction ends (the owner read along, not locked)."""
    locked = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("owner")
        .filter(pk=contract.pk)
        .first()
    )
    if locked is None:
        raise NotFoundError(CONTRACT_NOT_FOUND)
    return locked


def _record(contract: Contract, actor: User, before: dict[str, str | None]) -> None:
    record_changes(
        history=ContractChange,
        subject_field="contract",
        subject=contract,
        actor=actor,
        before=before,
    )


@transaction.atomic
def contract_create(*, owner: User, title: str, content_markdown: str, actor: User) -> Contract:
    """A new, unsigned contract for `owner`; creation leaves no history rows."""
    _require_admin(actor)
    return Contract.objects.create(
        owner=owner, title=title, content_markdown=normalize_newlines(content_markdown)
    )


@transaction.atomic
def contract_update(*, contract: Contract, actor: User, changes: Mapping[str, object]) -> Contract:
    """Staff's edit of title and content; a sign status in `changes` goes through its own rule."""
    _require_admin(actor)
    changes = dict(changes)
    is_signed = changes.pop("is_signed", None)
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ApplicationError(f"不能修改合同的字段：{', '.join(unknown)}")
    if changes:
        contract = _contract_lock(contract)
        before = snapshot(contract, list(changes))
        for name, value in changes.items():
            # Browsers send a textarea's line breaks as CRLF; an untouched page changes nothing.
            setattr(contract, name, normalize_newlines(value))
        if snapshot(contract, list(changes)) != before:
            contract.updated_at = timezone.now()
            contract.save(update_fields=[*changes, "updated_at"])
            _record(contract, actor, before)
    if is_signed is not None:
        contract = contract_sign_status_set(contract=contract, actor=actor, is_signed=is_signed)
    return contract


@transaction.atomic
def contract_sign_status_set(*, contract: Contract, actor: User, is_signed: bool) -> Contract:
    """Sign or unsign, as the owner or an admin. Setting the status it already has is a no-op,
    so a repeated request keeps the first signing time."""
    contract = _contract_lock(contract)
    if not contract_is_accessible_by(contract, actor):
        raise ForbiddenError(SIGN_STATUS_DENIED)
    if contract.is_signed == is_signed:
        return contract
    before = snapshot(contract, ["is_signed"])
    now = timezone.now()
    contract.is_signed = is_signed
    contract.signed_at = now if is_signed else None
    contract.updated_at = now
    contract.save(update_fields=["is_signed", "signed_at", "updated_at"])
    _record(contract, actor, before)
    return contract
