"""A rewriting task's life: points held, the vendor asked, the spend recorded; then polled until
the vendor says completed or failed."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from csa.errors import ApplicationError, ServiceUnavailableError
from points.services import (
    points_hold,
    points_hold_release,
    points_refund,
    points_snapshot_attach,
    points_spend,
    points_spend_fail,
)
from rewriting.models import RewritingTask, TaskStatus
from rewriting.pricing import task_cost
from rewriting.providers import (
    ProviderError,
    ProviderRefused,
    ProviderUnavailable,
    TaskState,
    provider_for,
)
from rewriting.routing import Route, route_for
from rewriting.snapshots import snapshot_save

logger = logging.getLogger(__name__)

# The vendors suggest polling every 3 s; clients may poll as often as they like.
POLL_INTERVAL = timedelta(seconds=3)
# Longer than any submit can take (timeouts, a login, one retry): a task still submitting after
# this was cut off (a process that died), and its held points go back.
STALE_SUBMISSION = timedelta(minutes=10)
INTERRUPTED = "提交中断，冻结积分已释放"


def rewriting_task_submit(*, user: User, text: str, platform: str, task_type: str) -> RewritingTask:
    """Hold the task's cost, hand the task to the vendor its route names, then spend the held
    points under the vendor's task id. A vendor that refuses or cannot be asked leaves the
    balance and the transactions as they were. The HTTP call holds no lock or transaction."""
    route = route_for(platform, task_type)
    try:
        provider = provider_for(route.service)
    except ProviderUnavailable as error:
        raise ServiceUnavailableError(error.message) from error
    task = _task_hold(owner=user, text=text, platform=platform, task_type=task_type, route=route)
    try:
        upstream_task_id = provider.submit(text=text, tool=route.tool)
    except ProviderError as error:
        _task_not_accepted(task, reason=_not_accepted_reason(error))
        raise ApplicationError(f"{task.service.upper()}任务提交失败", status_code=500) from error
    except BaseException:
        _task_not_accepted(task, reason="提交时发生内部错误")
        raise
    user_input_file = snapshot_save(task=task, kind="input", text=text)
    return _task_accept(task, upstream_task_id=upstream_task_id, user_input_file=user_input_file)


@transaction.atomic
def _task_hold(
    *, owner: User, text: str, platform: str, task_type: str, route: Route
) -> RewritingTask:
    _stale_submissions_release(owner=owner)
    cost = task_cost(text)
    points_hold(user=owner, amount=cost)
    return RewritingTask.objects.create(
        owner=owner,
        text=text,
        platform=platform,
        task_type=task_type,
        service=route.service,
        tool=route.tool,
        cost=cost,
    )


def _stale_submissions_release(*, owner: User) -> None:
    stale = owner.rewriting_tasks.select_for_update().filter(
        status=TaskStatus.SUBMITTING, created_at__lt=timezone.now() - STALE_SUBMISSION
    )
    for task in stale:
        logger.error("Rewriting task %s was cut off while submitting; releasing its hold", task.pk)
        _task_not_accepted(task, reason=INTERRUPTED)


@transaction.atomic
def _task_not_accepted(task: RewritingTask, *, reason: str) -> None:
    task = _locked(task)
    if task.status != TaskStatus.SUBMITTING:
        return  # released already, as a stale submission
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


@transaction.atomic
def _task_accept(
    task: RewritingTask, *, upstream_task_id: str, user_input_file: str
) -> RewritingTask:
    task = _locked(task)  # the task before the account, as everywhere
    still_held = task.status == TaskStatus.SUBMITTING
    if not still_held:
        logger.error("Rewriting task %s was accepted after its hold was released", task.pk)
    task.spend = points_spend(
        user=task.owner,
        amount=task.cost,
        description=task.label,
        reference_id=upstream_task_id,
        held=still_held,
        user_input_file=user_input_file,
    )
    task.upstream_task_id = upstream_task_id
    task.status = TaskStatus.PROCESSING
    task.progress = 0
    task.failure_reason = ""
    task.save(
        update_fields=[
            "spend",
            "upstream_task_id",
            "status",
            "progress",
            "failure_reason",
            "updated_at",
        ]
    )
    return task


def rewriting_task_refresh(*, task: RewritingTask) -> RewritingTask:
    """Bring a processing task up to date with its vendor, asking at most once per
    POLL_INTERVAL however many clients poll; a finished task is answered as stored."""
    if task.status != TaskStatus.PROCESSING or not _poll_claim(task):
        return task
    try:
        state = provider_for(task.service).fetch(task_id=task.upstream_task_id)
    except ProviderUnavailable as error:
        if task.service == "cheeyuan":
            raise ApplicationError("CHEEYUAN结果查询失败", status_code=500) from error
        return task  # REDUCEAI's document answers "processing" until the vendor is back
    if state.status == TaskStatus.COMPLETED:
        return _task_complete(task, state)
    if state.status == TaskStatus.FAILED:
        return _task_fail(task, state)
    task.progress = state.progress if state.progress is not None else task.progress
    task.upstream_details = state.details
    task.save(update_fields=["progress", "upstream_details", "updated_at"])
    return task


def _poll_claim(task: RewritingTask) -> bool:
    """Take this interval's one vendor call for the task; False if another request has it.
    A conditional UPDATE, so it holds across processes."""
    now = timezone.now()
    claimed = (
        RewritingTask.objects.filter(pk=task.pk, status=TaskStatus.PROCESSING)
        .exclude(checked_at__gt=now - POLL_INTERVAL)
        .update(checked_at=now)
    )
    return bool(claimed)


def _task_complete(task: RewritingTask, state: TaskState) -> RewritingTask:
    ai_response_file = snapshot_save(task=task, kind="output", text=state.result)
    with transaction.atomic():
        task = _locked(task)
        if task.status != TaskStatus.PROCESSING:
            return task
        task.status = TaskStatus.COMPLETED
        task.progress = 100
        task.result = state.result
        task.upstream_details = state.details
        task.finished_at = timezone.now()
        task.save()
        if ai_response_file:
            points_snapshot_attach(spend=task.spend, ai_response_file=ai_response_file)
    return task


@transaction.atomic
def _task_fail(task: RewritingTask, state: TaskState) -> RewritingTask:
    task = _locked(task)
    if task.status != TaskStatus.PROCESSING:
        return task
    task.status = TaskStatus.FAILED
    task.progress = state.progress if state.progress is not None else task.progress
    task.upstream_details = state.details
    task.finished_at = timezone.now()
    task.save()
    points_spend_fail(spend=task.spend)
    logger.info("Rewriting task %s failed at %s; its spend is refundable", task.pk, task.service)
    return task


def _locked(task: RewritingTask) -> RewritingTask:
    """The task's row, locked. Lock order is task, then account, in every service here."""
    return (
        RewritingTask.objects.select_for_update(of=("self",))
        .select_related("owner", "spend")
        .get(pk=task.pk)
    )


def rewriting_task_refund(*, task: RewritingTask) -> None:
    """Staff give back a failed task's points, through the customer's own refund."""
    if task.spend_id is None:
        raise ApplicationError("该任务没有消费记录，无需返还")
    points_refund(user=task.owner, transaction_id=task.spend_id)
