"""Staff see the background jobs in the console: the periodic ones with their last runs, how
many jobs wait in the queue, and every job that failed, with its error."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from csa.celery import app as celery_app
from csa.models import JobFailure
from csa.tasks import clear_old_job_failures
from rewriting.tasks import poll_rewriting_task, settle_interrupted_submissions

pytestmark = pytest.mark.django_db

SCHEDULED = "/admin/django_celery_beat/periodictask/"
FAILURES = "/admin/csa/jobfailure/"
PERIODIC_JOBS = {
    "跟进处理中的改写任务": "rewriting.tasks.poll_rewriting_tasks",
    "结算中断的改写任务提交": "rewriting.tasks.settle_interrupted_submissions",
    "清理过期的登录记录": "accounts.tasks.clear_expired_sign_ins",
    "清理旧的后台任务失败记录": "csa.tasks.clear_old_job_failures",
}


def test_the_periodic_jobs_are_listed_with_the_queue_beside_them(console):
    for name, fields in celery_app.conf.beat_schedule.items():  # what beat stores at its start
        ModelEntry.from_entry(name, app=celery_app, **fields)

    page = console.get(SCHEDULED).content.decode()

    for name in PERIODIC_JOBS:
        assert name in page
    assert "队列中等待执行的任务：0 个" in page
    stored = dict(PeriodicTask.objects.filter(name__in=PERIODIC_JOBS).values_list("name", "task"))
    assert stored == PERIODIC_JOBS


def test_a_failed_job_is_kept_with_its_error_for_staff(console):
    poll_rewriting_task.apply(args=(424242,))  # a task that is not there

    [failure] = JobFailure.objects.all()
    listed = console.get(FAILURES).content.decode()
    detail = console.get(f"{FAILURES}{failure.pk}/change/").content.decode()

    assert failure.job == "rewriting.tasks.poll_rewriting_task"
    assert failure.error.startswith("DoesNotExist")
    assert "424242" in failure.arguments
    assert "Traceback" in failure.traceback
    assert "rewriting.tasks.poll_rewriting_task" in listed and "失败时间" in listed
    assert "错误详情" in detail


def test_a_job_that_succeeds_leaves_no_record():
    settle_interrupted_submissions.apply()

    assert not JobFailure.objects.exists()


def test_failures_are_kept_a_month():
    old = JobFailure.objects.create(job="x", job_id="1", error="E")
    recent = JobFailure.objects.create(job="y", job_id="2", error="E")
    JobFailure.objects.filter(pk=old.pk).update(failed_at=timezone.now() - timedelta(days=31))

    clear_old_job_failures()

    assert list(JobFailure.objects.values_list("pk", flat=True)) == [recent.pk]
