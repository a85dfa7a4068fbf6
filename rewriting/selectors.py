from accounts.models import User
from csa.errors import NotFoundError
from rewriting.models import ACCEPTED_STATUSES, RewritingTask, TaskStatus

TASK_NOT_FOUND = "任务不存在"


def rewriting_task_of(*, user: User, service: str, upstream_task_id: str) -> RewritingTask:
    """One of the user's own tasks, by the id its vendor gave it; anyone else's is not found.
    A task the vendor took but that is not charged yet (its request was cut off) is found too."""
    task = user.rewriting_tasks.filter(
        service=service,
        upstream_task_id=upstream_task_id,
        status__in=(*ACCEPTED_STATUSES, TaskStatus.SUBMITTING),
    ).first()
    if task is None:
        raise NotFoundError(TASK_NOT_FOUND)
    return task
