from celery import shared_task

from csa.jobs import job_failures_clear


@shared_task
def clear_old_job_failures() -> None:
    """Daily: forget the background jobs' failures staff have had a month to look into."""
    job_failures_clear()
