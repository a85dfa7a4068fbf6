"""Tasks under parallel requests: real threads, real connections, PostgreSQL's row locks.

Each thread waits at a barrier so that all of them ask at once, and closes its own connection
when done.
"""

import itertools
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from rest_framework.test import APIClient

from points.models import PointsTransaction, TransactionType
from points.services import REFUNDED_NOTE, points_hold
from rewriting.models import RewritingTask, TaskStatus
from rewriting.services import submission_deadline
from rewriting.tasks import settle_interrupted_submissions
from tests.http_servers import UpstreamHandler, http_server
from tests.rewriting.helpers import (
    REFUND,
    RESULT_FOUND,
    TASK_SUBMITTED,
    funded_user,
    points_account,
    result,
    spends_of,
    submit,
    worker_polls,
)
from tests.rewriting_accounts.helpers import assert_ok, bearer, post
from tests.threads import all_at_once

TEXT = "降" * 800
COST = Decimal("2.4")  # 800 characters at 3 points per 1000
NOT_ENOUGH = "积分不足，当前积分：0，需要积分：2.4"
ALREADY_REFUNDED = "该交易已返还积分，请勿重复操作"
ZERO = Decimal("0.000")


def parallel(test):
    """PostgreSQL only, with commits that other connections see."""
    postgresql_only = pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has no row locks and one writer"
    )
    return postgresql_only(pytest.mark.django_db(transaction=True)(test))


def together(count: int, work: Callable[[], object]) -> list:
    """`work()` in `count` threads released at once; what each returned."""
    outcomes = all_at_once(work, count)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    return outcomes


def answer(response) -> tuple[int, str, object]:
    body = response.json()
    return response.status_code, body["message"], body["data"]


def submit_text(token: str) -> tuple[int, str, object]:
    return answer(submit(APIClient(), token, TEXT, "zhiwang", "reduce-plagiarism"))


def submitted(token: str) -> str:
    """One task submitted to REDUCEAI; its task id."""
    response = submit(APIClient(), token, TEXT, "zhiwang", "reduce-plagiarism")
    return assert_ok(response, TASK_SUBMITTED)["taskId"]


def ledger_sum(user) -> Decimal:
    return PointsTransaction.objects.filter(user=user).aggregate(total=Sum("amount"))["total"]


def statuses(answers) -> Counter:
    return Counter(status for status, _, _ in answers)


# --- twenty submits at once, points for ten --------------------------------------------------


@pytest.fixture
def rush(reduceai, make_token):
    """Twenty submits of one user at once, with points for exactly ten; the user and answers."""
    customer = funded_user(COST * 10)
    token = make_token(customer)
    return customer, together(20, lambda: submit_text(token))


@parallel
def test_twenty_submits_with_points_for_ten_take_exactly_ten(rush, reduceai):
    _, answers = rush

    assert statuses(answers) == {200: 10, 400: 10}
    assert reduceai.submits == 10


@parallel
def test_the_ten_refused_say_not_enough_points(rush):
    _, answers = rush

    assert [(message, data) for status, message, data in answers if status == 400] == [
        (NOT_ENOUGH, None)
    ] * 10


@parallel
def test_the_ten_accepted_are_ten_vendor_tasks_each_spent_from_its_own_balance(rush, reduceai):
    _, answers = rush

    accepted = [(message, data) for status, message, data in answers if status == 200]
    assert {message for message, _ in accepted} == {TASK_SUBMITTED}
    assert {data["taskId"] for _, data in accepted} == set(reduceai.tasks)
    assert {data["cost"] for _, data in accepted} == {2.4}
    new_balances = sorted(Decimal(str(data["newBalance"])) for _, data in accepted)
    assert new_balances == [COST * n for n in range(10)]


@parallel
def test_after_the_rush_the_balance_is_zero_and_equals_the_ledger(rush):
    customer, _ = rush

    account = points_account(customer)

    assert (account.balance, account.held) == (ZERO, ZERO)
    assert ledger_sum(customer) == account.balance
    assert list(spends_of(customer).values_list("amount", flat=True)) == [-COST] * 10


@parallel
def test_after_the_rush_exactly_ten_tasks_exist_each_paid(rush):
    customer, _ = rush

    tasks = RewritingTask.objects.filter(owner=customer)

    assert Counter(tasks.values_list("status", flat=True)) == {TaskStatus.PROCESSING: 10}
    assert set(tasks.values_list("spend__reference_id", flat=True)) == set(
        tasks.values_list("upstream_task_id", flat=True)
    )


# --- polls and refunds of one task -----------------------------------------------------------


@parallel
def test_parallel_polls_of_one_task_make_one_vendor_fetch(reduceai, make_token):
    token = make_token(funded_user(COST))
    task_id = submitted(token)
    reduceai.complete(task_id, "改写结果")

    together(20, worker_polls)

    assert len(reduceai.requests["fetch"]) == 1


@parallel
def test_after_parallel_polls_the_stored_result_answers_without_the_vendor(reduceai, make_token):
    token = make_token(funded_user(COST))
    task_id = submitted(token)
    reduceai.complete(task_id, "改写结果")
    together(20, worker_polls)

    answers = together(20, lambda: answer(result(APIClient(), token, task_id, "reduceai")))

    assert {(status, message) for status, message, _ in answers} == {(200, RESULT_FOUND)}
    assert {(data["status"], data["result"]) for _, _, data in answers} == {
        ("completed", "改写结果")
    }
    assert len(reduceai.requests["fetch"]) == 1


@pytest.fixture
def failed_spend(reduceai, make_token):
    """A user whose only task failed at the vendor, its token and the refundable spend."""
    customer = funded_user(COST)
    token = make_token(customer)
    task_id = submitted(token)
    reduceai.fail(task_id)
    worker_polls()
    assert assert_ok(result(APIClient(), token, task_id, "reduceai"), RESULT_FOUND)["status"] == (
        "failed"
    )
    return customer, token, spends_of(customer).get()


def refund(token: str, spend: PointsTransaction) -> tuple[int, str, object]:
    return answer(post(APIClient(), REFUND, {"transaction_id": spend.pk}, **bearer(token)))


@parallel
def test_parallel_refunds_of_one_failed_spend_refund_once(failed_spend):
    _, token, spend = failed_spend

    answers = together(20, lambda: refund(token, spend))

    assert statuses(answers) == {200: 1, 400: 19}
    refused = {message for status, message, _ in answers if status == 400}
    assert refused == {ALREADY_REFUNDED}
    refunds = PointsTransaction.objects.filter(transaction_type=TransactionType.REFUND)
    assert list(refunds.values_list("refund_of", "amount")) == [(spend.pk, COST)]


@parallel
def test_after_parallel_refunds_the_balance_is_back_once(failed_spend):
    customer, token, spend = failed_spend

    together(20, lambda: refund(token, spend))

    account = points_account(customer)
    assert (account.balance, account.held) == (COST, ZERO)
    assert ledger_sum(customer) == COST
    spend.refresh_from_db()
    assert spend.description.count(REFUNDED_NOTE) == 1


# --- a submit that outlives its deadline ----------------------------------------------------


class GatedReduceAI:
    """REDUCEAI that keeps each submit waiting until the test opens that submit's gate."""

    def __init__(self, submits: int) -> None:
        self.arrived = [threading.Event() for _ in range(submits)]
        self.gates = [threading.Event() for _ in range(submits)]
        self._order = itertools.count()

    def handler(self) -> type[UpstreamHandler]:
        vendor = self

        class Handler(UpstreamHandler):
            def do_POST(self) -> None:
                self.read_fields()
                if self.path == "/auth/login":
                    self.send_json(200, {"token": "gated-token"})
                    return
                index = next(vendor._order)
                vendor.arrived[index].set()
                vendor.gates[index].wait()
                self.send_json(200, {"taskId": f"onlyjc_1_{index}", "newBalance": 1})

        return Handler


@pytest.fixture
def gated_reduceai(settings):
    vendor = GatedReduceAI(submits=2)
    with http_server(vendor.handler()) as base_url:
        settings.REDUCEAI_API_URL = base_url
        settings.REDUCEAI_LOGIN_USERNAME = "vendor-account"
        settings.REDUCEAI_LOGIN_PASSWORD = "vendor-password"
        settings.REWRITING_UPSTREAM_READ_TIMEOUT_SECONDS = 60.0  # the gates decide, not a timer
        try:
            yield vendor
        finally:
            for gate in vendor.gates:
                gate.set()


class Submission(threading.Thread):
    """A submit in a thread of its own; `reached` is set once the vendor has it, or it ended."""

    def __init__(self, token: str, reached: threading.Event) -> None:
        super().__init__()
        self.token, self.reached = token, reached
        self.answer: tuple[int, str, object] | None = None

    def run(self) -> None:
        try:
            self.answer = submit_text(self.token)
        finally:
            self.reached.set()
            connection.close()


@pytest.fixture
def late_and_on_time(gated_reduceai, make_token):
    """A submit that waited on its vendor past the deadline, so that the settling job released
    its hold, and the owner's next submit, both still with the vendor; the late one's answer
    comes first. The user, and the two finished submissions."""
    customer = funded_user(COST * 2)
    token = make_token(customer)
    late = Submission(token, gated_reduceai.arrived[0])
    late.start()
    gated_reduceai.arrived[0].wait()
    past_deadline = timezone.now() - submission_deadline() - timedelta(minutes=1)
    RewritingTask.objects.filter(owner=customer).update(created_at=past_deadline)
    settle_interrupted_submissions()
    on_time = Submission(token, gated_reduceai.arrived[1])
    on_time.start()
    gated_reduceai.arrived[1].wait()

    gated_reduceai.gates[0].set()
    late.join()
    gated_reduceai.gates[1].set()
    on_time.join()
    return customer, late, on_time


@parallel
def test_a_late_vendor_answer_does_not_take_an_on_time_tasks_hold(late_and_on_time):
    customer, _, on_time = late_and_on_time

    assert on_time.answer[:2] == (200, TASK_SUBMITTED)
    account = points_account(customer)
    assert (account.balance, account.held) == (ZERO, ZERO)
    assert ledger_sum(customer) == ZERO
    assert list(spends_of(customer).values_list("amount", flat=True)) == [-COST] * 2


@parallel
def test_a_late_vendor_answer_is_charged_when_points_allow(late_and_on_time):
    _, late, _ = late_and_on_time

    assert late.answer[:2] == (200, TASK_SUBMITTED)
    task = RewritingTask.objects.get(upstream_task_id=late.answer[2]["taskId"])
    assert (task.status, task.failure_reason) == (TaskStatus.PROCESSING, "")
    assert task.spend.amount == -COST


@parallel
def test_a_late_vendor_answer_the_points_no_longer_cover_is_refused_and_charges_nothing(
    gated_reduceai, make_token
):
    customer = funded_user(COST)
    late = Submission(make_token(customer), gated_reduceai.arrived[0])
    late.start()
    gated_reduceai.arrived[0].wait()
    past_deadline = timezone.now() - submission_deadline() - timedelta(minutes=1)
    RewritingTask.objects.filter(owner=customer).update(created_at=past_deadline)
    settle_interrupted_submissions()
    points_hold(user=customer, amount=COST)  # another task holds the points meanwhile

    gated_reduceai.gates[0].set()
    late.join()

    assert late.answer[:2] == (500, "REDUCEAI任务提交失败")
    [task] = RewritingTask.objects.filter(owner=customer)
    assert (task.status, task.spend_id) == (TaskStatus.NOT_ACCEPTED, None)
    assert "余额不足" in task.failure_reason
    assert not spends_of(customer).exists()
