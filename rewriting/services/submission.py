"""Submitting a task: its points held, the vendor asked, the id the vendor gave recorded, the
held points spent. What a cut-off submission leaves behind is finished here too."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from accounts.models import User
from csa.errors import ApplicationError, ServiceUnavailableError
from points.services import (
    InsufficientPointsError,
    points_hold,
    points_hold_release,
    points_spend,
)
from rewriting.models import ACCEPTED_STATUSES, RewritingTask, TaskStatus
from rewriting.pricing import task_cost
from rewriting.providers import (
    ProviderError,
    ProviderRefused,
    ProviderUnavailable,
    provider_for,
)
from rewriting.providers.vendor import Timeouts
from rewriting.routing import Route, route_for
from rewriting.services.rows import task_locked
from rewriting.snapshots import snapshot_save

logger = logging.getLogger(__name__)

# A task whose vendor id is recorded but not yet charged is left this long to the request that
# heard the vendor before the settling job charges it instead.
ACCEPT_GRACE = timedelta(seconds=30)
# What the app servers' clocks may differ by (a task's times come from the server that made it).
CLOCK_MARGIN = timedelta(seconds=30)
INTERRUPTED = "提交中断，冻结积分已释放"
# What the database failing to record a task can raise; the queue retries on these.
DATABASE_OUTAGE = (OperationalError, InterfaceError)


@dataclass(frozen=True)
class Submission:
    """What the customer is told of a task the vendor took."""

    upstream_task_id: str
    service: str
    new_balance: Decimal
    cost: Decimal


class UpstreamIdTaken(ApplicationError):
    """The vendor answered with a task id another of our tasks already has."""

    def __init__(self, service: str) -> None:
        super().__init__(f"{service.upper()}任务提交失败", status_code=502)


def submission_deadline() -> timedelta:
    """The longest a submit can take: a login and the submit, then after a 401 a fresh login
    and the submit again, each a connect (tried twice) and a read. A task still submitting
    after this (and the clocks' margin) was cut off."""
    timeouts = Timeouts.from_settings()
    return timedelta(seconds=4 * (2 * timeouts.connect + timeouts.read)) + CLOCK_MARGIN


def rewriting_task_submit(
    *, user: User, text: str, platform: str, task_type: str, cost: Decimal | None = None
) -> Submission:
    """Hold the task's cost, hand the task to the vendor its route names, record the id the
    vendor gave it, then spend the held points under that id. A vendor that refuses or cannot be
    asked leaves the balance and the transactions as they were. The HTTP call holds no lock or
    transaction.

    Once the vendor has taken the task the customer is told so, even if the database fails to
    record it then: the task queue records it as soon as the database is back, and the points
    held for it pay for it whatever else happens meanwhile."""
    route = route_for(platform, task_type)
    try:
        provider = provider_for(route.service)
    except ProviderUnavailable as error:
        raise ServiceUnavailableError(error.message) from error
    task, balance = _task_hold(
        owner=user,
        text=text,
        platform=platform,
        task_type=task_type,
        route=route,
        cost=task_cost(text) if cost is None else cost,
    )
    try:
        upstream_task_id = provider.submit(text=text, tool=route.tool)
    except ProviderError as error:
        _task_not_accepted(task, reason=_not_accepted_reason(error))
        raise ApplicationError(f"{task.service.upper()}任务提交失败", status_code=500) from error
    except BaseException:
        _task_not_accepted(task, reason="提交时发生内部错误")
        raise
    try:
        task = rewriting_task_accept(task_id=task.pk, upstream_task_id=upstream_task_id)
    except DATABASE_OUTAGE as error:
        _accept_later(task, upstream_task_id=upstream_task_id, error=error)
        return Submission(upstream_task_id, task.service, balance - task.cost, task.cost)
    if task.spend is None:  # taken after its hold was given up, and too late to be paid for
        raise ApplicationError(f"{task.service.upper()}任务提交失败", status_code=500)
    return Submission(upstream_task_id, task.service, task.spend.balance_after, task.cost)


@transaction.atomic
def _task_hold(
    *, owner: User, text: str, platform: str, task_type: str, route: Route, cost: Decimal
) -> tuple[RewritingTask, Decimal]:
    """The task, submitting, with its cost held; and the balance then."""
    account = points_hold(user=owner, amount=cost)
    task = RewritingTask.objects.create(
        owner=owner,
        text=text,
        platform=platform,
        task_type=task_type,
        service=route.service,
        tool=route.tool,
        cost=cost,
    )
    return task, account.balance


def _accept_later(task: RewritingTask, *, upstream_task_id: str, error: Exception) -> None:
    """Hand the recording of a task the vendor took to the queue, which retries until the
    database is back; if the queue cannot take it either, the request fails with the outage."""
    from rewriting.tasks import accept_submission  # the tasks call these services

    logger.error(
        "Recording rewriting task %s (%s %s) failed, queueing it: %s",
        task.pk,
        task.service,
        upstream_task_id,
        error,
    )
    try:
        accept_submission.delay(task.pk, upstream_task_id)
    except Exception:
        logger.exception(
            "Queueing rewriting task %s failed too: %s holds task %s that is not recorded here",
            task.pk,
            task.service,
            upstream_task_id,
        )
        raise error from None


def rewriting_task_accept(*, task_id: int, upstream_task_id: str) -> RewritingTask:
    """The vendor took task `task_id` as `upstream_task_id`: record that at once, then spend
    the points held for it. Idempotent: the request that heard the vendor calls it, and so do the
    queue and the settling job when that request could not finish."""
    _upstream_id_record(task_id=task_id, upstream_task_id=upstream_task_id)
    task = RewritingTask.objects.select_related("owner", "spend").get(pk=task_id)
    if task.status in ACCEPTED_STATUSES:
        return task
    user_input_file = snapshot_save(task=task, kind="input", text=task.text)
    return _task_charge(task, user_input_file=user_input_file)


def _upstream_id_record(*, task_id: int, upstream_task_id: str) -> None:
    """Note the vendor's id on the task in a statement of its own, so that it survives whatever
    fails next; an id another task has is the vendor's mistake, and the task is not accepted."""
    try:
        with transaction.atomic():
            RewritingTask.objects.filter(pk=task_id, upstream_task_id__isnull=True).update(
                upstream_task_id=upstream_task_id, updated_at=timezone.now()
            )
    except IntegrityError as error:
        task = RewritingTask.objects.select_related("owner").get(pk=task_id)
        logger.error(
            "%s gave rewriting task %s the id %s, which another task has",
            task.service,
            task_id,
            upstream_task_id,
        )
        _task_not_accepted(task, reason=f"上游返回了重复的任务ID：{upstream_task_id}")
        raise UpstreamIdTaken(task.service) from error


@transaction.atomic
def _task_charge(task: RewritingTask, *, user_input_file: str) -> RewritingTask:
    task = task_locked(task)  # the task before the account, as everywhere
    if task.status in ACCEPTED_STATUSES:
        return task  # charged meanwhile by another caller
    still_held = task.status == TaskStatus.SUBMITTING
    if not still_held:
        logger.error("Rewriting task %s was accepted after its hold was released", task.pk)
    try:
        task.spend = points_spend(
            user=task.owner,
            amount=task.cost,
            description=task.label,
            reference_id=task.upstream_task_id,
            held=still_held,
            user_input_file=user_input_file,
        )
    except InsufficientPointsError:
        logger.error("Rewriting task %s was accepted too late to be paid for", task.pk)
        task.failure_reason = "上游已受理，但冻结积分已释放且余额不足，未扣积分"
        task.save(update_fields=["failure_reason", "updated_at"])
        return task
    task.status = TaskStatus.PROCESSING
    task.progress = 0
    task.failure_reason = ""
    task.save(update_fields=["spend", "status", "progress", "failure_reason", "updated_at"])
    return task


def rewriting_submissions_settle() -> tuple[int, int]:
    """Finish what submissions cut off mid-way left, whoever is waiting for them: a task the
    vendor took (its id recorded) is charged; one still without a vendor id after the longest a
    submit can take is given up and its points released. How many of each."""
    now = timezone.now()
    submitting = RewritingTask.objects.filter(status=TaskStatus.SUBMITTING)
    taken = submitting.filter(upstream_task_id__isnull=False, updated_at__lt=now - ACCEPT_GRACE)
    charged = 0
    for task_id, upstream_task_id in taken.values_list("pk", "upstream_task_id"):
        try:
            rewriting_task_accept(task_id=task_id, upstream_task_id=upstream_task_id)
        except DATABASE_OUTAGE:
            raise  # the job is retried as a whole
        except Exception:
            logger.exception("Charging rewriting task %s failed; trying the others", task_id)
            continue
        charged += 1
    cut_off = submitting.filter(
        upstream_task_id__isnull=True, created_at__lt=now - submission_deadline()
    )
    released = 0
    for task in cut_off.select_related("owner"):
        released += _submission_give_up(task)
    return charged, released


def _submission_give_up(task: RewritingTask) -> bool:
    """Release a cut-off submission's hold, unless its vendor id was recorded meanwhile."""
    with transaction.atomic():
        task = task_locked(task)
        if task.status != TaskStatus.SUBMITTING or task.upstream_task_id:
            return False
        logger.error("Rewriting task %s was cut off while submitting; releasing its hold", task.pk)
        _hold_release(task, reason=INTERRUPTED)
    return True


@transaction.atomic
def _task_not_accepted(task: RewritingTask, *, reason: str) -> None:
    task = task_locked(task)
    if task.status != TaskStatus.SUBMITTING:
        return  # given up already, as a cut-off submission
    _hold_release(task, reason=reason)


def _hold_release(task: RewritingTask, *, reason: str) -> None:
    """The locked, submitting task is not accepted: its points go back, nothing is spent."""
    points_hold_release(user=task.owner, amount=task.cost)
    task.status = TaskStatus.NOT_ACCEPTED
    task.failure_reason = reason[:255]
    task.finished_at = timezone.now()
    task.save(update_fields=["status", "failure_reason", "finished_at", "updated_at"])


def _not_accepted_reason(error: ProviderError) -> str:
    if isinstance(error, ProviderRefused):
        return f"上游拒绝：{error.message}"
    if isinstance(error, ProviderUnavailable) and error.task_may_exist:
        return "上游未应答，可能已建任务（未扣积分）"
    return f"上游不可用：{error.message}"
