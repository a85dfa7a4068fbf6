from rewriting.models import RewritingTask


def task_locked(task: RewritingTask) -> RewritingTask:
    """The task's row, locked. Lock order is task, then account, in every service here."""
    return (
        RewritingTask.objects.select_for_update(of=("self",))
        .select_related("owner", "spend")
        .get(pk=task.pk)
    )
