# ruff: noqa: F401  (this package re-exports its modules' service functions)
"""A rewriting task's life: points held, the vendor asked, the spend recorded (submission); then
polled by a worker until the vendor says completed or failed (polling); refunds by staff."""

from rewriting.services.polling import (
    POLL_BATCH,
    POLL_INTERVAL,
    rewriting_task_current,
    rewriting_task_poll,
    rewriting_tasks_due_for_poll,
)
from rewriting.services.refunds import rewriting_task_refund
from rewriting.services.submission import (
    ACCEPT_GRACE,
    CLOCK_MARGIN,
    DATABASE_OUTAGE,
    INTERRUPTED,
    Submission,
    UpstreamIdTaken,
    rewriting_submissions_settle,
    rewriting_task_accept,
    rewriting_task_submit,
    submission_deadline,
)
