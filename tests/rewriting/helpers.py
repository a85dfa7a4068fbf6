"""Paths and small helpers shared by the rewriting task API's tests."""

from decimal import Decimal

from accounts.models import User
from points.models import PointsAccount
from points.services import points_recharge
from tests.factories import UserFactory
from tests.rewriting_accounts.helpers import bearer, post

REDUCE_TASK = "/ai/reduce-task"
RESULT = "/ai/result"
POINTS_RULES = "/ai/points"
TRANSACTIONS = "/points/transactions"
REFUND = "/points/refund"

TASK_SUBMITTED = "任务提交成功"
RESULT_FOUND = "查询成功"
TASK_NOT_FOUND = "任务不存在"


def submit(client, token: str, text, platform, type):  # noqa: A002 - the API's field name
    """POST /ai/reduce-task with `token`; the response."""
    body = {"text": text, "platform": platform, "type": type}
    return post(client, REDUCE_TASK, body, **bearer(token))


def result(client, token: str, task_id, service):
    """POST /ai/result with `token`; the response."""
    return post(client, RESULT, {"taskId": task_id, "service": service}, **bearer(token))


def funded_user(points, **fields) -> User:
    """A new user whose balance is `points`, recharged through the ledger."""
    user = UserFactory(**fields)
    if Decimal(str(points)) > 0:
        points_recharge(user=user, amount=Decimal(str(points)))
    return user


def points_account(user: User) -> PointsAccount:
    """The user's points account, fresh from the database."""
    return PointsAccount.objects.get(user=user)
