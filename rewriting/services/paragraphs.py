"""A short paragraph rewritten while its customer waits: a task like any other (held, sent,
charged, in the ledger), whose request then waits a bounded time for the vendor's result.

The wait holds one of the app process's threads, never the process (gthread), and only so many
waits run at once in a process (REWRITING_PARAGRAPH_WAITERS): past that, or past the time limit
(REWRITING_PARAGRAPH_WAIT_SECONDS), the answer says the task goes on and how to fetch it. While
waiting, the request asks the vendor no oftener than the worker would (one claim per
POLL_INTERVAL, shared with the worker), and otherwise reads only the task's row."""

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from csa.errors import ApplicationError
from points.amounts import points_text
from points.services import InsufficientPointsError
from rewriting.models import RewritingTask, TaskStatus
from rewriting.pricing import paragraph_cost
from rewriting.services.polling import POLL_INTERVAL, rewriting_task_poll
from rewriting.services.submission import Submission, rewriting_task_submit

# How often a waiting request reads its task's row between the vendor's answers.
WAIT_STEP_SECONDS = 0.5
FAILED = "改写失败，可在积分记录中申请返还本次积分"


@dataclass(frozen=True)
class ParagraphRewrite:
    submission: Submission
    task: RewritingTask

    @property
    def done(self) -> bool:
        return self.task.status == TaskStatus.COMPLETED


class _Waiters:
    """How many requests of this process are waiting for a vendor now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def enter(self, limit: int) -> bool:
        with self._lock:
            if self.count >= limit:
                return False
            self.count += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.count -= 1


waiters = _Waiters()


def rewriting_paragraph_rewrite(
    *, user: User, text: str, platform: str, task_type: str
) -> ParagraphRewrite:
    """Submit `text` as a task (at least MINIMUM_COST; 403 if the points are not there), then
    wait for it as long as allowed. A task the vendor failed is an error, its spend refundable
    like any failed task's."""
    cost = paragraph_cost(text)
    try:
        submission = rewriting_task_submit(
            user=user, text=text, platform=platform, task_type=task_type, cost=cost
        )
    except InsufficientPointsError as error:
        raise ApplicationError(
            f"积分不足，需要 {points_text(cost)} 积分", status_code=403
        ) from error
    task = RewritingTask.objects.get(
        service=submission.service, upstream_task_id=submission.upstream_task_id
    )
    if waiters.enter(settings.REWRITING_PARAGRAPH_WAITERS):
        try:
            task = _task_awaited(task, seconds=settings.REWRITING_PARAGRAPH_WAIT_SECONDS)
        finally:
            waiters.leave()
    if task.status == TaskStatus.FAILED:
        raise ApplicationError(FAILED, status_code=502)
    return ParagraphRewrite(submission=submission, task=task)


def _task_awaited(task: RewritingTask, *, seconds: float) -> RewritingTask:
    """The task once it ended, or as it is when `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while task.status not in (TaskStatus.COMPLETED, TaskStatus.FAILED):
        if _poll_claimed(task):
            task = rewriting_task_poll(task_id=task.pk)
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        time.sleep(min(WAIT_STEP_SECONDS, remaining))
        task = RewritingTask.objects.get(pk=task.pk)
    return task


def _poll_claimed(task: RewritingTask) -> bool:
    """Claim the task's next vendor poll, as the worker does: True if it was due."""
    now = timezone.now()
    due = Q(checked_at__isnull=True) | Q(checked_at__lte=now - POLL_INTERVAL)
    claimed = RewritingTask.objects.filter(due, pk=task.pk, status=TaskStatus.PROCESSING)
    return claimed.update(checked_at=now) == 1
