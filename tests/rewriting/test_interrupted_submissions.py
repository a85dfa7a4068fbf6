"""Submissions cut off between the vendor taking a task and the spend being recorded, and vendors
that repeat a task id: what the vendor said is recorded at once, accepting can be done again,
and the settling job finishes what nobody is waiting for."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from points.models import PointsTransaction, TransactionType
from points.services import points_hold
from rewriting.models import Platform, RewritingTask, Service, TaskStatus, TaskType
from rewriting.services import (
    ACCEPT_GRACE,
    INTERRUPTED,
    rewriting_task_accept,
    submission_deadline,
)
from rewriting.tasks import accept_submission, settle_interrupted_submissions
from tests.rewriting.fake_vendors import FakeTask
from tests.rewriting.helpers import (
    RESULT_FOUND,
    ROUTE_TO,
    TASK_SUBMITTED,
    funded_user,
    points_account,
    result,
    spends_of,
    submit,
    worker_polls,
)
from tests.rewriting_accounts.helpers import assert_envelope, assert_ok

pytestmark = pytest.mark.django_db

TEXT = "降" * 800
COST = Decimal("2.4")
ZERO = Decimal("0")


def cut_off_submission(
    owner, *, age: timedelta, upstream_task_id: str | None = None
) -> RewritingTask:
    """A task left submitting `age` ago with its cost held, as a process that died mid-submit
    leaves it: before the vendor answered, or (with `upstream_task_id`) after the vendor's id was
    recorded and before the spend."""
    points_hold(user=owner, amount=COST)
    task = RewritingTask.objects.create(
        owner=owner,
        text=TEXT,
        platform=Platform.ZHIWANG,
        task_type=TaskType.REDUCE_PLAGIARISM,
        service=Service.REDUCEAI,
        tool="onlyjc",
        cost=COST,
        upstream_task_id=upstream_task_id,
    )
    then = timezone.now() - age
    RewritingTask.objects.filter(pk=task.pk).update(created_at=then, updated_at=then)
    return task


PAST_DEADLINE = submission_deadline() + timedelta(minutes=1)


# --- a vendor that repeats a task id ---------------------------------------------------------


@pytest.mark.parametrize("service", ["reduceai", "cheeyuan"])
def test_a_repeated_vendor_task_id_is_a_clear_error_that_charges_nothing(
    request, make_token, caplog, service
):
    vendor = request.getfixturevalue(service)
    customer = funded_user(10)
    token = make_token(customer)
    platform, task_type = ROUTE_TO[service]
    first = submit(APIClient(), token, TEXT, platform, task_type)
    vendor.repeat_task_ids()

    repeated = submit(APIClient(), token, TEXT, platform, task_type)

    assert_ok(first, TASK_SUBMITTED)
    assert_envelope(repeated, 502, f"{service.upper()}任务提交失败")
    account = points_account(customer)
    assert (account.balance, account.held) == (Decimal(10) - COST, ZERO)
    assert spends_of(customer).count() == 1
    refused = customer.rewriting_tasks.get(status=TaskStatus.NOT_ACCEPTED)
    assert "重复的任务ID" in refused.failure_reason
    assert refused.upstream_task_id is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]


# --- the settling job ------------------------------------------------------------------------


def test_the_settling_job_releases_a_submission_cut_off_before_the_vendor_answered():
    customer = funded_user(COST)
    task = cut_off_submission(customer, age=PAST_DEADLINE)

    settle_interrupted_submissions()

    task.refresh_from_db()
    assert (task.status, task.failure_reason, task.spend) == (
        TaskStatus.NOT_ACCEPTED,
        INTERRUPTED,
        None,
    )
    assert task.finished_at is not None
    account = points_account(customer)
    assert (account.balance, account.held) == (COST, ZERO)


def test_the_settling_job_leaves_a_submission_within_its_deadline_alone():
    customer = funded_user(COST)
    task = cut_off_submission(customer, age=submission_deadline() - timedelta(seconds=10))

    settle_interrupted_submissions()

    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTING
    assert points_account(customer).held == COST


def test_the_settling_job_charges_a_task_the_vendor_took():
    customer = funded_user(COST)
    task = cut_off_submission(
        customer, age=ACCEPT_GRACE + timedelta(seconds=1), upstream_task_id="onlyjc_1_1"
    )

    settle_interrupted_submissions()
    settle_interrupted_submissions()  # and again: nothing more

    task.refresh_from_db()
    assert task.status == TaskStatus.PROCESSING
    assert (task.spend.amount, task.spend.reference_id) == (-COST, "onlyjc_1_1")
    account = points_account(customer)
    assert (account.balance, account.held) == (ZERO, ZERO)
    assert spends_of(customer).count() == 1


def test_the_settling_job_gives_the_request_that_heard_the_vendor_its_moment():
    customer = funded_user(COST)
    task = cut_off_submission(customer, age=timedelta(seconds=1), upstream_task_id="onlyjc_1_1")

    settle_interrupted_submissions()

    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTING


# --- accepting again ------------------------------------------------------------------------


def test_accepting_twice_charges_once():
    customer = funded_user(COST)
    task = cut_off_submission(customer, age=timedelta(0))

    rewriting_task_accept(task_id=task.pk, upstream_task_id="onlyjc_1_2")
    accept_submission(task.pk, "onlyjc_1_2")  # the queue's job, as a retry runs it

    task.refresh_from_db()
    assert (task.status, task.upstream_task_id) == (TaskStatus.PROCESSING, "onlyjc_1_2")
    assert spends_of(customer).count() == 1
    assert points_account(customer).balance == ZERO


def test_a_task_accepted_after_its_hold_was_released_is_charged_when_points_allow():
    customer = funded_user(COST)
    task = cut_off_submission(customer, age=PAST_DEADLINE)
    settle_interrupted_submissions()

    accept_submission(task.pk, "onlyjc_1_3")

    task.refresh_from_db()
    assert task.status == TaskStatus.PROCESSING
    assert points_account(customer).balance == ZERO


def test_a_task_accepted_after_its_hold_was_released_and_spent_is_not_charged():
    customer = funded_user(COST)
    task = cut_off_submission(customer, age=PAST_DEADLINE)
    settle_interrupted_submissions()
    points_hold(user=customer, amount=COST)  # another task took the points meanwhile

    accept_submission(task.pk, "onlyjc_1_4")

    task.refresh_from_db()
    assert (task.status, task.upstream_task_id) == (TaskStatus.NOT_ACCEPTED, "onlyjc_1_4")
    assert "余额不足" in task.failure_reason
    assert not spends_of(customer).exists()


def test_asking_for_a_cut_off_task_the_vendor_took_charges_it_and_answers(reduceai, make_token):
    customer = funded_user(COST)
    task_id = "onlyjc_98631379_1"
    reduceai.tasks[task_id] = FakeTask(text=TEXT, tool="onlyjc", progress=40)
    task = cut_off_submission(customer, age=timedelta(seconds=1), upstream_task_id=task_id)

    data = assert_ok(result(APIClient(), make_token(customer), task_id, "reduceai"), RESULT_FOUND)
    worker_polls()
    then = assert_ok(result(APIClient(), make_token(customer), task_id, "reduceai"), RESULT_FOUND)

    assert (data["status"], data["progress"]) == ("processing", 0)
    assert (then["status"], then["progress"]) == ("processing", 40)
    task.refresh_from_db()
    assert task.status == TaskStatus.PROCESSING
    assert spends_of(customer).get().reference_id == task_id


def test_someone_elses_cut_off_task_stays_not_found(reduceai, make_token):
    cut_off_submission(funded_user(COST), age=timedelta(seconds=1), upstream_task_id="onlyjc_1_9")

    response = result(APIClient(), make_token(funded_user(COST)), "onlyjc_1_9", "reduceai")

    assert_envelope(response, 404, "任务不存在")
    assert not PointsTransaction.objects.filter(transaction_type=TransactionType.SPEND).exists()
