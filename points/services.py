"""The ledger's only writers. Each change locks the user's account row, moves the balance and
appends its transaction in one database transaction, so balance = sum of transactions always."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F

from accounts.models import User
from csa.errors import ApplicationError, NotFoundError
from points.amounts import points_text, points_truncate
from points.models import PointsAccount, PointsTransaction, TransactionType

RECHARGE_DESCRIPTION = "管理员充值"
REFUNDED_NOTE = "（已返还积分）"
PART_REFUNDED_NOTE = "（已返还部分积分）"
TRANSACTION_NOT_FOUND = "交易记录不存在"
# PostgreSQL's bigint; a larger id names no row and must not reach the database as one.
MAX_TRANSACTION_ID = 2**63 - 1
# What the balance column holds: 14 digits, 3 of them decimals.
MAX_BALANCE = Decimal(10**11) - Decimal("0.001")


class InsufficientPointsError(ApplicationError):
    def __init__(self, *, available: Decimal, needed: Decimal) -> None:
        super().__init__(
            f"积分不足，当前积分：{points_text(available)}，需要积分：{points_text(needed)}"
        )


def _locked_account(user: User) -> PointsAccount:
    """The user's account row, locked until the transaction ends; created on first use."""
    account = PointsAccount.objects.select_for_update().filter(user=user).first()
    if account is None:
        PointsAccount.objects.bulk_create([PointsAccount(user=user)], ignore_conflicts=True)
        account = PointsAccount.objects.select_for_update().get(user=user)
    return account


def _record(
    account: PointsAccount, *, transaction_type: str, amount: Decimal, description: str, **fields
) -> PointsTransaction:
    """Move the locked account's balance by `amount` and append the transaction that says so."""
    if account.balance + amount > MAX_BALANCE:
        raise ApplicationError("积分余额超出上限")
    account.balance += amount
    account.transaction_count += 1
    account.save(update_fields=["balance", "held", "transaction_count", "updated_at"])
    return PointsTransaction.objects.create(
        user_id=account.user_id,
        transaction_type=transaction_type,
        amount=amount,
        balance_after=account.balance,
        description=description,
        **fields,
    )


def _amount(value: Decimal) -> Decimal:
    """An amount truncated to the ledger's three places; refused beyond what a balance holds."""
    amount = Decimal(value)
    if not amount.is_finite() or abs(amount) > MAX_BALANCE:
        raise ApplicationError("积分数额无效或过大")
    return points_truncate(amount)


@transaction.atomic
def points_recharge(
    *,
    user: User,
    amount: Decimal,
    description: str = RECHARGE_DESCRIPTION,
    reference_id: str | None = None,
    recorded_by: User | None = None,
) -> PointsTransaction:
    """Staff add points to a user's balance."""
    amount = _amount(amount)
    if amount <= 0:
        raise ApplicationError("充值积分必须大于0")
    return _record(
        _locked_account(user),
        transaction_type=TransactionType.RECHARGE,
        amount=amount,
        description=description.strip() or RECHARGE_DESCRIPTION,
        reference_id=reference_id or None,
        recorded_by=recorded_by,
    )


@transaction.atomic
def points_adjust(
    *,
    user: User,
    amount: Decimal,
    description: str,
    reference_id: str | None = None,
    recorded_by: User,
    correction: bool = False,
) -> PointsTransaction:
    """Staff change a balance either way (a mistaken recharge taken back, say), with a reason:
    the console's adjustment and the API's `/user/update-points`. A `correction` puts a mistake
    right; a deduction always is one.

    It is a recharge of signed amount, so agents see it among their invitees' recharges.
    """
    amount = _amount(amount)
    if amount == 0:
        raise ApplicationError("调整积分不能为0")
    if not description.strip():
        raise ApplicationError("请填写调整原因")
    account = _locked_account(user)
    if account.available + amount < 0:
        # What may still be taken: points held for running tasks are already promised.
        raise ApplicationError(f"积分余额不足，当前余额: {points_text(account.available)}")
    return _record(
        account,
        transaction_type=TransactionType.RECHARGE,
        amount=amount,
        description=description.strip(),
        reference_id=reference_id or None,
        recorded_by=recorded_by,
        is_correction=correction or amount < 0,
    )


@transaction.atomic
def points_hold(*, user: User, amount: Decimal) -> PointsAccount:
    """Set `amount` aside for a task about to be handed to a vendor; nothing is spent yet, and
    the customer's balance and transactions do not change. The account as it is now."""
    amount = _amount(amount)
    account = _locked_account(user)
    if account.available < amount:
        raise InsufficientPointsError(available=account.available, needed=amount)
    account.held += amount
    account.save(update_fields=["held", "updated_at"])
    return account


@transaction.atomic
def points_hold_release(*, user: User, amount: Decimal) -> None:
    """Give back what `points_hold` set aside, as if it had never been asked."""
    PointsAccount.objects.filter(user=user).update(held=F("held") - _amount(amount))


@transaction.atomic
def points_spend(
    *,
    user: User,
    amount: Decimal,
    description: str,
    reference_id: str,
    held: bool = False,
    user_input_file: str = "",
) -> PointsTransaction:
    """Take `amount` from the balance; with `held`, out of what `points_hold` set aside."""
    amount = _amount(amount)
    account = _locked_account(user)
    if held:
        account.held -= amount
    if account.available < amount:
        raise InsufficientPointsError(available=account.available, needed=amount)
    return _record(
        account,
        transaction_type=TransactionType.SPEND,
        amount=-amount,
        description=description,
        reference_id=reference_id,
        user_input_file=user_input_file,
    )


def points_spend_fail(*, spend: PointsTransaction) -> bool:
    """Mark a spend whose task failed as unsuccessful, which makes it refundable; False if it
    already was."""
    changed = PointsTransaction.objects.filter(
        pk=spend.pk, transaction_type=TransactionType.SPEND, is_successful=True
    ).update(is_successful=False)
    if changed:
        spend.is_successful = False
    return bool(changed)


@transaction.atomic
def points_refund(*, user: User, transaction_id: int) -> PointsTransaction:
    """Give back the points of one of `user`'s failed spends, once; the refund is a transaction of
    its own and the spend's description says it was refunded."""
    account = _locked_account(user)  # refunds of one user queue here, so "once" holds
    spend = None
    if 0 < transaction_id <= MAX_TRANSACTION_ID:
        spend = user.points_transactions.select_for_update().filter(pk=transaction_id).first()
    if spend is None:
        raise NotFoundError(TRANSACTION_NOT_FOUND)
    if spend.transaction_type != TransactionType.SPEND:
        raise ApplicationError("仅消费记录支持返还")
    if spend.is_successful:
        raise ApplicationError("成功交易无需返还")
    if spend.amount >= 0:
        raise ApplicationError("无效的交易金额，无法返还")
    if PointsTransaction.objects.filter(refund_of=spend).exists():
        raise ApplicationError("该交易已返还积分，请勿重复操作")
    return _refund_record(account, spend=spend, amount=-spend.amount, note=REFUNDED_NOTE)


@transaction.atomic
def points_refund_part(*, spend: PointsTransaction, amount: Decimal) -> PointsTransaction | None:
    """Give back `amount` of a spend whose work was delivered only in part (a document some of
    whose pieces could not be rewritten); None if the spend was given back already, since a
    spend has at most one refund."""
    account = _locked_account(spend.user)
    spend = PointsTransaction.objects.select_for_update().get(pk=spend.pk)
    amount = _amount(amount)
    if spend.transaction_type != TransactionType.SPEND or not 0 < amount <= -spend.amount:
        raise ApplicationError("无效的返还积分")
    if PointsTransaction.objects.filter(refund_of=spend).exists():
        return None
    note = REFUNDED_NOTE if amount == -spend.amount else PART_REFUNDED_NOTE
    return _refund_record(account, spend=spend, amount=amount, note=note)


def _refund_record(
    account: PointsAccount, *, spend: PointsTransaction, amount: Decimal, note: str
) -> PointsTransaction:
    """The locked account's refund of `amount` of its locked `spend`, noted on the spend."""
    refund = _record(
        account,
        transaction_type=TransactionType.REFUND,
        amount=amount,
        description=f"任务失败返还积分（原交易ID: {spend.pk}）",
        reference_id=f"refund:{spend.pk}",
        refund_of=spend,
    )
    spend.description = f"{spend.description}{note}"[:255]
    spend.save(update_fields=["description"])
    return refund


def points_snapshot_attach(*, spend: PointsTransaction, ai_response_file: str) -> None:
    """Note where a spend's task result was stored."""
    PointsTransaction.objects.filter(pk=spend.pk).update(ai_response_file=ai_response_file)
    spend.ai_response_file = ai_response_file
