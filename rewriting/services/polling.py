"""Following a task the vendor took until it ends. A worker asks the vendor every POLL_INTERVAL
whoever is waiting (rewriting.tasks); a customer's /ai/result answers what was stored, and makes
no vendor call of its own."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from csa.errors import ApplicationError, NotFoundError
from points.services import points_snapshot_attach, points_spend_fail
from rewriting.models import ACCEPTED_STATUSES, RewritingTask, Service, TaskStatus
from rewriting.providers import ProviderUnavailable, TaskState, provider_for
from rewriting.selectors import TASK_NOT_FOUND
from rewriting.services.rows import task_locked
from rewriting.services.submission import rewriting_task_accept
from rewriting.snapshots import snapshot_save

logger = logging.getLogger(__name__)

# The vendors ask to be polled every 3 s.
POLL_INTERVAL = timedelta(seconds=3)
# At most this many tasks are asked after in one interval; the oldest asked go first.
POLL_BATCH = 500


def rewriting_tasks_due_for_poll() -> list[int]:
    """Claim the processing tasks not asked after for POLL_INTERVAL, one poll each: the claim
    (`checked_at`) keeps a task from being asked twice in an interval, whatever runs."""
    now = timezone.now()
    due = (
        RewritingTask.objects.filter(status=TaskStatus.PROCESSING)
        .filter(Q(checked_at__isnull=True) | Q(checked_at__lte=now - POLL_INTERVAL))
        .order_by(F("checked_at").asc(nulls_first=True))
    )
    with transaction.atomic():  # rows another dispatch is claiming are its own
        task_ids = list(
            due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:POLL_BATCH]
        )
        RewritingTask.objects.filter(pk__in=task_ids).update(checked_at=now)
    return task_ids


def rewriting_task_poll(*, task_id: int) -> RewritingTask:
    """Ask the vendor where the task stands, and store it: completed (with its result), failed
    (its spend made refundable) or its progress. A vendor that cannot be asked is noted on the
    task, and asked again at the next poll."""
    task = RewritingTask.objects.select_related("owner", "spend").get(pk=task_id)
    if task.status != TaskStatus.PROCESSING:
        return task
    try:
        state = provider_for(task.service).fetch(task_id=task.upstream_task_id)
    except ProviderUnavailable:
        RewritingTask.objects.filter(pk=task.pk, vendor_unreachable_since__isnull=True).update(
            vendor_unreachable_since=timezone.now()
        )
        return task
    if state.status == TaskStatus.COMPLETED:
        return _task_complete(task, state)
    if state.status == TaskStatus.FAILED:
        return _task_fail(task, state)
    task.progress = state.progress if state.progress is not None else task.progress
    task.upstream_details = state.details
    task.vendor_unreachable_since = None
    task.save(
        update_fields=["progress", "upstream_details", "vendor_unreachable_since", "updated_at"]
    )
    return task


def rewriting_task_current(*, task: RewritingTask) -> RewritingTask:
    """The task as its customer is told of it: as stored. A task the vendor took whose charge
    was cut off is charged first, since it is the customer's now. CHEEYUAN's document answers
    500 when the vendor cannot be asked; so does this, while the last poll could not ask it
    (REDUCEAI's answers "processing", as documented)."""
    if task.status == TaskStatus.SUBMITTING:
        task = rewriting_task_accept(task_id=task.pk, upstream_task_id=task.upstream_task_id)
        if task.status not in ACCEPTED_STATUSES:
            raise NotFoundError(TASK_NOT_FOUND)
    unreachable = task.status == TaskStatus.PROCESSING and task.vendor_unreachable_since
    if unreachable and task.service == Service.CHEEYUAN:
        raise ApplicationError("CHEEYUAN结果查询失败", status_code=500)
    return task


def _task_complete(task: RewritingTask, state: TaskState) -> RewritingTask:
    ai_response_file = snapshot_save(task=task, kind="output", text=state.result)
    with transaction.atomic():
        task = task_locked(task)
        if task.status != TaskStatus.PROCESSING:
            return task
        task.status = TaskStatus.COMPLETED
        task.progress = 100
        task.result = state.result
        task.upstream_details = state.details
        task.vendor_unreachable_since = None
        task.finished_at = timezone.now()
        task.save()
        if ai_response_file:
            points_snapshot_attach(spend=task.spend, ai_response_file=ai_response_file)
    return task


@transaction.atomic
def _task_fail(task: RewritingTask, state: TaskState) -> RewritingTask:
    task = task_locked(task)
    if task.status != TaskStatus.PROCESSING:
        return task
    task.status = TaskStatus.FAILED
    task.progress = state.progress if state.progress is not None else task.progress
    task.upstream_details = state.details
    task.vendor_unreachable_since = None
    task.finished_at = timezone.now()
    task.save()
    points_spend_fail(spend=task.spend)
    logger.info("Rewriting task %s failed at %s; its spend is refundable", task.pk, task.service)
    return task
