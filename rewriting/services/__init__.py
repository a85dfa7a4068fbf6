# ruff: noqa: F401  (this package re-exports its modules' service functions)
"""A rewriting task's life: points held, the vendor asked, the spend recorded (submission); then
polled by a worker until the vendor says completed or failed (polling); refunds by staff.
Paragraphs are tasks whose request waits for their result (paragraphs); whole documents are
pieces the worker sends, polls and puts back together (documents)."""

from rewriting.services.documents import (
    ADVANCE_INTERVAL,
    DocumentUpload,
    rewriting_document_advance,
    rewriting_document_retry,
    rewriting_document_upload,
    rewriting_documents_due,
)
from rewriting.services.paragraphs import ParagraphRewrite, rewriting_paragraph_rewrite
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
