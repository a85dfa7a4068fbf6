"""Paths and small helpers shared by the rewriting task API's tests."""

from decimal import Decimal

from accounts.models import User
from points.models import PointsAccount, PointsTransaction, TransactionType
from points.services import points_recharge
from rewriting.models import RewritingTask
from rewriting.tasks import poll_rewriting_tasks
from tests.factories import UserFactory
from tests.rewriting_accounts.helpers import bearer, post

REDUCE_TASK = "/ai/reduce-task"
RESULT = "/ai/result"
POINTS_RULES = "/ai/points"
BALANCE = "/points/balance"
TRANSACTIONS = "/points/transactions"
REFUND = "/points/refund"

TASK_SUBMITTED = "任务提交成功"
RESULT_FOUND = "查询成功"
TASK_NOT_FOUND = "任务不存在"

# (platform, type) that each vendor serves, for tests about a vendor rather than a route.
ROUTE_TO = {
    "reduceai": ("zhiwang", "reduce-plagiarism"),
    "cheeyuan": ("zhiwang", "reduce-ai-rate"),
}


# Every setting that configures a vendor: tests clear them all, whatever the environment holds.
VENDOR_SETTINGS = (
    "REDUCEAI_API_URL",
    "REDUCEAI_AUTH_URL",
    "REDUCEAI_LOGIN_USERNAME",
    "REDUCEAI_LOGIN_PASSWORD",
    "CHEEYUAN_API_URL",
    "CHEEYUAN_LOGIN_ACCOUNT",
    "CHEEYUAN_LOGIN_PASSWORD",
)


def submit(client, token: str, text, platform, type):
    """POST /ai/reduce-task as the holder of `token`; the response."""
    body = {"text": text, "platform": platform, "type": type}
    return post(client, REDUCE_TASK, body, **bearer(token))


def result(client, token: str, task_id, service):
    """POST /ai/result as the holder of `token`; the response."""
    return post(client, RESULT, {"taskId": task_id, "service": service}, **bearer(token))


def transactions(client, token: str) -> list[dict]:
    """The caller's /points/transactions rows, newest first."""
    response = client.get(TRANSACTIONS, **bearer(token))
    assert response.status_code == 200, response.content.decode()
    return response.json()["data"]["transactions"]


def balance(client, token: str):
    """The caller's /points/balance."""
    response = client.get(BALANCE, **bearer(token))
    assert response.status_code == 200, response.content.decode()
    return response.json()["data"]["points_balance"]


def funded_user(points, **fields) -> User:
    """A new user whose balance is `points`, recharged through the ledger."""
    user = UserFactory(**fields)
    if Decimal(str(points)) > 0:
        points_recharge(user=user, amount=Decimal(str(points)))
    return user


def points_account(user: User) -> PointsAccount:
    """The user's points account, fresh from the database."""
    return PointsAccount.objects.get(user=user)


def spends_of(user: User):
    """The user's spends, as the ledger holds them."""
    return PointsTransaction.objects.filter(user=user, transaction_type=TransactionType.SPEND)


def poll_interval_passes(task_id) -> None:
    """As if the 3 s between two vendor calls for this task had gone by."""
    RewritingTask.objects.filter(upstream_task_id=str(task_id)).update(checked_at=None)


def worker_polls() -> None:
    """What the worker does every 3 s: ask the vendors about each processing task due a poll."""
    poll_rewriting_tasks()
