"""The rewriting service's background jobs; each is idempotent (csa/celery.py)."""

import contextlib

from celery import shared_task

from rewriting import services


@shared_task(
    # The database being down is why this job exists: wait for it, with back-off up to ten
    # minutes apart, for about a day.
    autoretry_for=services.DATABASE_OUTAGE,
    retry_backoff=2,
    retry_backoff_max=600,
    max_retries=150,
)
def accept_submission(task_id: int, upstream_task_id: str) -> None:
    """Record a task the vendor took, which its request could not record."""
    # An id another task has leaves this one not accepted, logged as the vendor's mistake.
    with contextlib.suppress(services.UpstreamIdTaken):
        services.rewriting_task_accept(task_id=task_id, upstream_task_id=upstream_task_id)


@shared_task
def settle_interrupted_submissions() -> None:
    """Charge the tasks vendors took whose requests were cut off; release the holds of those
    cut off before the vendor answered. Periodic: a run that fails is the next run's to do."""
    services.rewriting_submissions_settle()
