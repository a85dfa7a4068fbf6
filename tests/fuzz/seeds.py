"""Records the fuzz run can name: fixed ids, so the explicit examples can point at real rows."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import refresh_token_hash
from payments.models import Channel, Order
from points.models import PointsAccount, TransactionType
from points.services import points_recharge, points_spend
from rewriting.models import RewritingTask, TaskStatus
from tests.accounts.business_factories import BusinessAccountFactory
from tests.contracts.factories import ContractFactory
from tests.factories import LoginSessionFactory, UserFactory
from tests.points.factories import PointsTransactionFactory
from tests.projects.factories import (
    ProjectFactory,
    ProjectFileFactory,
    ProjectLinkFactory,
    ProjectTaskFactory,
)
from tests.tickets.factories import TicketFactory


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=(4 << 76) | (2 << 62) | n)  # a valid version-4 UUID, easy to read


CUSTOMER_UUID = _id(1)
STRANGER_UUID = _id(2)
ADMIN_UUID = _id(3)
AGENT_UUID = _id(4)
TICKET_ID = _id(11)
STRANGERS_TICKET_ID = _id(12)
BUSINESS_ACCOUNT_ID = _id(21)
CONTRACT_ID = _id(31)
PROJECT_ID = _id(41)
FILE_ID = _id(42)
# Integer ids are given explicitly, far above what the sequences reach in a test run.
FAILED_SPEND_ID = 900_001
PROCESSING_TASK_ID = "sandbox-fuzz-processing"  # unknown to the sandbox: asking ends it failed
FAILED_TASK_ID = "sandbox-fuzz-failed"
REFRESH_TOKEN = "fuzz-refresh-token"
ORDER_NO = "PAY20261207120000FUZZ000001"
STRANGERS_ORDER_NO = "PAY20261207120000FUZZ000002"
FILE_KEY = f"projects/{PROJECT_ID}/{0:016x}/需求说明.txt"
SNAPSHOT_KEY = f"rewriting/{CUSTOMER_UUID}/fuzz/input.txt"
TASK_TEXT = "论文降重测试文本" * 150


@dataclass(frozen=True)
class Seeds:
    customer: User
    admin: User
    agent: User


def seed_records() -> Seeds:
    """A customer (invited by an agent) with a ticket, a business account, a contract, a project
    with a stored file, a funded points account, a processing and a failed rewriting task; a
    stranger with a ticket; the one admin."""
    admin = UserFactory(uuid=ADMIN_UUID, username="boss", role=Role.ADMIN)
    agent = UserFactory(uuid=AGENT_UUID, username="agent007", role=Role.AGENT)
    customer = UserFactory(
        uuid=CUSTOMER_UUID, username="fuzzer", phone="+8613800138000", invited_by=agent
    )
    stranger = UserFactory(uuid=STRANGER_UUID, username="stranger")
    LoginSessionFactory(user=customer, refresh_token_hash=refresh_token_hash(REFRESH_TOKEN))

    TicketFactory(id=TICKET_ID, creator=customer)
    TicketFactory(id=STRANGERS_TICKET_ID, creator=stranger)
    BusinessAccountFactory(id=BUSINESS_ACCOUNT_ID, owner=customer)
    ContractFactory(id=CONTRACT_ID, owner=customer)
    project = ProjectFactory(id=PROJECT_ID, owner=customer)
    default_storage.save(FILE_KEY, ContentFile("需求说明".encode()))
    ProjectFileFactory(
        id=FILE_ID,
        project=project,
        filename="需求说明.txt",
        content_type="text/plain",
        oss_key=FILE_KEY,
    )
    ProjectLinkFactory(project=project)
    ProjectTaskFactory(project=project)

    _seed_ledger(customer)
    _order(ORDER_NO, payer=agent, beneficiary=customer)
    _order(STRANGERS_ORDER_NO, payer=stranger, beneficiary=stranger)
    return Seeds(customer=customer, admin=admin, agent=agent)


def _order(out_trade_no: str, *, payer: User, beneficiary: User) -> None:
    """A pending Alipay order, made a minute ago."""
    made = timezone.now() - timedelta(minutes=1)
    Order.objects.create(
        out_trade_no=out_trade_no,
        payer=payer,
        beneficiary=beneficiary,
        channel=Channel.ALIPAY_PAGE,
        subject="积分充值 - 10元",
        amount=Decimal("10"),
        points=Decimal("10"),
        rate=Decimal("1"),
        beneficiary_rate=Decimal("1"),
        created_at=made,
        expires_at=made + timedelta(minutes=30),
    )


def _seed_ledger(customer: User) -> None:
    points_recharge(user=customer, amount=Decimal("100"))
    spend = points_spend(
        user=customer,
        amount=Decimal("3.6"),
        description="AI降重任务消费",
        reference_id=PROCESSING_TASK_ID,
    )
    _task(customer, PROCESSING_TASK_ID, spend=spend, status=TaskStatus.PROCESSING)

    # The failed task's spend is written directly, to carry an id the examples know; the account
    # moves with it, so the balance still sums the ledger.
    default_storage.save(SNAPSHOT_KEY, ContentFile(TASK_TEXT.encode()))
    balance = spend.balance_after - Decimal("3.6")
    failed_spend = PointsTransactionFactory(
        id=FAILED_SPEND_ID,
        user=customer,
        transaction_type=TransactionType.SPEND,
        amount=Decimal("-3.6"),
        balance_after=balance,
        description="AI降重任务消费",
        reference_id=FAILED_TASK_ID,
        is_successful=False,
        user_input_file=SNAPSHOT_KEY,
    )
    PointsAccount.objects.filter(user=customer).update(balance=balance)
    _task(customer, FAILED_TASK_ID, spend=failed_spend, status=TaskStatus.FAILED)


def _task(customer: User, task_id: str, *, spend, status: TaskStatus) -> RewritingTask:
    return RewritingTask.objects.create(
        owner=customer,
        text=TASK_TEXT,
        platform="zhiwang",
        task_type="reduce-plagiarism",
        service="reduceai",
        tool="onlyjc",
        upstream_task_id=task_id,
        cost=-spend.amount,
        status=status,
        progress=0,
        spend=spend,
        finished_at=timezone.now() if status == TaskStatus.FAILED else None,
    )
