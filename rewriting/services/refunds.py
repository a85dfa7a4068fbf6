from csa.errors import ApplicationError
from points.services import points_refund
from rewriting.models import RewritingTask


def rewriting_task_refund(*, task: RewritingTask) -> None:
    """Staff give back a failed task's points, through the customer's own refund."""
    if task.spend_id is None:
        raise ApplicationError("该任务没有消费记录，无需返还")
    points_refund(user=task.owner, transaction_id=task.spend_id)
