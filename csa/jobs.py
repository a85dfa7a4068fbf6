"""What staff see of the background jobs: the queue's length and every job that failed."""

import logging
from datetime import timedelta

from celery.signals import task_failure
from django.db import DatabaseError
from django.utils import timezone

from csa.celery import app
from csa.models import JobFailure

logger = logging.getLogger(__name__)

JOB_FAILURE_RETENTION = timedelta(days=30)


def jobs_waiting(queue: str = "celery") -> int | None:
    """Jobs in the queue that no worker has taken yet; None when the queue cannot be asked."""
    try:
        with app.connection_for_read() as connection:
            declared = connection.default_channel.queue_declare(queue=queue, passive=True)
    except Exception as exc:
        logger.warning("The task queue could not be asked its length: %s", exc)
        return None
    return declared.message_count


@task_failure.connect
def job_failure_record(
    sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **_
) -> None:
    """Keep a failed job for staff. Best effort: a failure that came of the database being
    down cannot be written there either, and is in the worker's log alone."""
    try:
        JobFailure.objects.create(
            job=getattr(sender, "name", str(sender))[:200],
            job_id=str(task_id or "")[:64],
            arguments=repr((args, kwargs))[:2000],
            error=f"{type(exception).__name__}: {exception}"[:2000],
            traceback=str(einfo or "")[:20000],
        )
    except DatabaseError:
        logger.exception("The failure of job %s could not be recorded", task_id)


def job_failures_clear() -> int:
    """Forget failures older than JOB_FAILURE_RETENTION; how many."""
    cutoff = timezone.now() - JOB_FAILURE_RETENTION
    return JobFailure.objects.filter(failed_at__lt=cutoff).delete()[0]
