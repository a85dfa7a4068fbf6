"""Business accounts: a customer applies, staff activate, disable and re-enable."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import BusinessAccount, BusinessAccountChange, BusinessAccountStatus, User
from accounts.services.users import NOTHING_TO_UPDATE
from csa.errors import ApplicationError
from csa.history import record_changes, snapshot
from csa.notifications import email_after_commit

BUSINESS_ACCOUNT_EXISTS = "已存在申请或已激活账号"
ACTIVATION_NEEDS_ASSIGNMENT = "激活业务账号前需要填写专属邮箱和用户识别码"
ACTIVE_KEEPS_ASSIGNMENT = "已激活的业务账号不能清空专属邮箱或用户识别码"
USER_CODE_TAKEN = "该用户识别码已被使用"

CUSTOMER_FIELDS = (
    "company_name",
    "tax_number",
    "certification_info",
    "communication_address",
    "contact_person_name",
    "contact_phone",
)
ASSIGNMENT_FIELDS = ("assigned_email", "user_code")
STAFF_FIELDS = (*CUSTOMER_FIELDS, *ASSIGNMENT_FIELDS, "status")

# pending → active → disabled → active: every other move is refused.
STATUS_MOVES = {
    BusinessAccountStatus.PENDING: {BusinessAccountStatus.ACTIVE},
    BusinessAccountStatus.ACTIVE: {BusinessAccountStatus.DISABLED},
    BusinessAccountStatus.DISABLED: {BusinessAccountStatus.ACTIVE},
}


def business_account_status_after(
    *,
    current: str,
    requested: str | None,
    assigned_email: str | None,
    user_code: str | None,
) -> BusinessAccountStatus:
    """The status an account ends in after a staff edit, or the refusal the flow gives.

    `requested` is the status staff chose (None or the current one: none chosen). A pending
    account whose assigned e-mail and user code are both filled becomes active by itself.
    The staff console validates its form with this same rule.
    """
    current = BusinessAccountStatus(current)
    target = BusinessAccountStatus(requested or current)
    assigned = bool(assigned_email and user_code)
    if current == target == BusinessAccountStatus.PENDING and assigned:
        target = BusinessAccountStatus.ACTIVE
    if target != current and target not in STATUS_MOVES[current]:
        raise ApplicationError(f"业务账号状态不能从「{current.label}」变为「{target.label}」")
    if target == BusinessAccountStatus.ACTIVE and not assigned:
        if current == BusinessAccountStatus.ACTIVE:
            raise ApplicationError(ACTIVE_KEEPS_ASSIGNMENT)
        raise ApplicationError(ACTIVATION_NEEDS_ASSIGNMENT)
    return target


def _blank_to_none(value: object) -> object:
    """Text that is empty once trimmed is stored as null: the API tells null from ""."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def _business_account_locked(account: BusinessAccount) -> BusinessAccount:
    """The row as stored, locked: changes and their history start from what is really there."""
    return (
        BusinessAccount.objects.select_for_update(of=("self",))
        .select_related("owner")
        .get(pk=account.pk)
    )


def _business_account_save(
    *, account: BusinessAccount, actor: User | None, changes: dict[str, object]
) -> BusinessAccount:
    changes = {name: value for name, value in changes.items() if getattr(account, name) != value}
    if not changes:
        return account
    before = snapshot(account, list(changes))
    for name, value in changes.items():
        setattr(account, name, value)
    account.updated_at = timezone.now()
    account.save(update_fields=[*changes, "updated_at"])
    record_changes(
        history=BusinessAccountChange,
        subject_field="business_account",
        subject=account,
        actor=actor,
        before=before,
    )
    return account


@transaction.atomic
def business_account_apply(*, owner: User, fields: dict[str, str | None]) -> BusinessAccount:
    """A pending account for a user who has none: one per user, whatever its status."""
    if BusinessAccount.objects.filter(owner=owner).exists():
        raise ApplicationError(BUSINESS_ACCOUNT_EXISTS)
    values = {
        name: _blank_to_none(value) for name, value in fields.items() if name in CUSTOMER_FIELDS
    }
    try:
        with transaction.atomic():
            return BusinessAccount.objects.create(owner=owner, **values)
    except IntegrityError as exc:
        # A concurrent application won the race; the database kept it to one.
        if BusinessAccount.objects.filter(owner=owner).exists():
            raise ApplicationError(BUSINESS_ACCOUNT_EXISTS) from exc
        raise


@transaction.atomic
def business_account_update(
    *, account: BusinessAccount, actor: User, changes: dict[str, str | None]
) -> BusinessAccount:
    """The customer's edit: the customer fields only, whatever else the request carries."""
    changes = {
        name: _blank_to_none(value) for name, value in changes.items() if name in CUSTOMER_FIELDS
    }
    if not changes:
        raise ApplicationError(NOTHING_TO_UPDATE)
    account = _business_account_locked(account)
    return _business_account_save(account=account, actor=actor, changes=changes)


@transaction.atomic
def business_account_staff_update(
    *, account: BusinessAccount, actor: User | None, changes: dict[str, object]
) -> BusinessAccount:
    """Staff's edit of any field, status included, along the status flow.

    Entering `active` (first activation or re-enabling) e-mails the owner once the change commits.
    """
    changes = {
        name: _blank_to_none(value) for name, value in changes.items() if name in STAFF_FIELDS
    }
    account = _business_account_locked(account)
    assignment = {name: changes.get(name, getattr(account, name)) for name in ASSIGNMENT_FIELDS}
    status_before = account.status
    changes["status"] = business_account_status_after(
        current=status_before, requested=changes.get("status"), **assignment
    )
    user_code = changes.get("user_code")
    taken = BusinessAccount.objects.filter(user_code=user_code).exclude(pk=account.pk)
    if user_code and taken.exists():
        raise ApplicationError(USER_CODE_TAKEN)
    account = _business_account_save(account=account, actor=actor, changes=changes)
    if account.status == BusinessAccountStatus.ACTIVE and status_before != account.status:
        _business_account_activated_email(
            account, reenabled=status_before == BusinessAccountStatus.DISABLED
        )
    return account


def _business_account_activated_email(account: BusinessAccount, *, reenabled: bool) -> None:
    email_after_commit(
        to=[account.owner.email],
        subject="您的云梦镜像业务账号已" + ("重新启用" if reenabled else "激活"),
        template="emails/business_account_activated.txt",
        context={"account": account, "reenabled": reenabled},
    )


@transaction.atomic
def business_account_status_set(
    *, account: BusinessAccount, actor: User | None, status: BusinessAccountStatus
) -> BusinessAccount:
    return business_account_staff_update(account=account, actor=actor, changes={"status": status})
