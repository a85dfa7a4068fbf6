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


# A poll that waited longer than this in the queue is dropped: the next dispatch asks afresh.
POLL_EXPIRES_SECONDS = 30


@shared_task
def poll_rewriting_tasks() -> None:
    """Every POLL_INTERVAL: one poll queued for each processing task due one."""
    for task_id in services.rewriting_tasks_due_for_poll():
        poll_rewriting_task.apply_async((task_id,), expires=POLL_EXPIRES_SECONDS)


@shared_task
def poll_rewriting_task(task_id: int) -> None:
    """Ask the task's vendor where it stands; a vendor that fails is asked at the next poll."""
    services.rewriting_task_poll(task_id=task_id)


@shared_task
def advance_rewriting_documents() -> None:
    """Every ADVANCE_INTERVAL: one round queued for each processing document due one."""
    for document_id in services.rewriting_documents_due():
        advance_rewriting_document.apply_async((document_id,), expires=POLL_EXPIRES_SECONDS)


@shared_task
def advance_rewriting_document(document_id: int) -> None:
    """Poll, send and finish what the document's round can; what fails is the next round's."""
    services.rewriting_document_advance(document_id=document_id)
