"""The benchmark's data set: customers with a history, loaded in bulk into an empty database.

1,000 customers, each with 100 support tickets and 100 ledger rows (a recharge, then spends on
rewriting tasks with their text snapshots), so every list a customer asks for is as long as a
busy account's. Rows are written in bulk, not through the services: a data set, not traffic.
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from points.models import PointsAccount, PointsTransaction, TransactionType
from tickets.models import Ticket, TicketStatus, TicketType

PASSWORD = "bench-password-1"  # noqa: S105 (the data set's own)
RECHARGE = Decimal("1000000")
SPEND = Decimal("-1.5")
BATCH = 5000


def bench_email(number: int) -> str:
    return f"bench{number:04d}@example.com"


def dataset_is_loaded(users: int) -> bool:
    return User.objects.filter(email=bench_email(users - 1)).exists()


@transaction.atomic
def dataset_load(*, users: int, tickets_per_user: int, ledger_per_user: int) -> None:
    password = make_password(PASSWORD)  # one hash for all: hashing 1,000 would take minutes
    start = timezone.now() - timedelta(days=365)
    people = User.objects.bulk_create(
        [
            # Customers of both products, their addresses proven on the portal.
            User(
                email=bench_email(n),
                username=f"bench{n:04d}",
                password=password,
                email_verified_at=start,
            )
            for n in range(users)
        ],
        batch_size=BATCH,
    )
    for person in people:
        person.created_at = start
    User.objects.bulk_update(people, ["created_at"], batch_size=BATCH)
    _tickets_load(people, tickets_per_user, start)
    _ledger_load(people, ledger_per_user, start)


def _tickets_load(people: list[User], per_user: int, start) -> None:
    rows = (
        Ticket(
            creator=person,
            title=f"工单 {n}：无法导出财务报表",
            ticket_type=TicketType.values[n % 3],
            content="导出报表时页面提示失败，请协助排查。" * 4,
            status=TicketStatus.PENDING,
        )
        for person in people
        for n in range(per_user)
    )
    _bulk(Ticket, rows)
    # auto_now_add stamped them all with now; spread them over the year, as use would.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Ticket._meta.db_table} "  # noqa: S608 (the model's own table name)
            "SET created_at = %s + random() * interval '365 days'",
            [start],
        )


def _ledger_load(people: list[User], per_user: int, start) -> None:
    def history(person: User):
        balance = RECHARGE
        yield PointsTransaction(
            user=person,
            transaction_type=TransactionType.RECHARGE,
            amount=RECHARGE,
            balance_after=balance,
            description="管理员充值",
            created_at=start,
        )
        for n in range(1, per_user):
            balance += SPEND
            yield PointsTransaction(
                user=person,
                transaction_type=TransactionType.SPEND,
                amount=SPEND,
                balance_after=balance,
                description="降重任务：知网 降重（500字）",
                reference_id=f"onlyjc_{person.pk}_{n}",
                user_input_file=f"rewriting/{person.pk}/{n}/input.txt",
                ai_response_file=f"rewriting/{person.pk}/{n}/output.txt",
                created_at=start + timedelta(hours=n),
            )

    _bulk(PointsTransaction, (row for person in people for row in history(person)))
    final = RECHARGE + SPEND * (per_user - 1)
    PointsAccount.objects.bulk_create(
        [PointsAccount(user=person, balance=final) for person in people], batch_size=BATCH
    )


def _bulk(model, rows) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)
