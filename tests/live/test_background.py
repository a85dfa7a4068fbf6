"""The background worker (`celery worker --beat`, as `make serve` runs it) does what real
processes leave undone, with nobody asking: it settles a submission whose app process was killed
while the vendor had it, records a task the vendor took while PostgreSQL was down, and follows a
task to its end, so that the customer's question is answered from the database."""

import contextlib
import threading
from decimal import Decimal

import pytest
import requests
from django_celery_beat.models import PeriodicTask

from points.models import PointsAccount
from rewriting.models import RewritingTask, TaskStatus
from rewriting.services import INTERRUPTED, submission_deadline
from tests.factories import DEFAULT_PASSWORD
from tests.http_servers import http_server
from tests.live.answers import envelope_data, portal_body
from tests.live.processes import PostgresCluster, wait_for
from tests.live.servers import app_and_worker, manage
from tests.live.vendors import SUBMIT_PATH, serving_vendors, task_body
from tests.rewriting.fake_vendors import FakeReduceAI
from tests.rewriting.helpers import funded_user

SETTLE_EVERY_SECOND = {"REWRITING_SETTLE_INTERVAL_SECONDS": "1"}
TEXT_COST = Decimal("0.027")  # task_body's nine characters at 3 points per 1000


@pytest.mark.django_db(transaction=True)
def test_a_submission_whose_process_was_killed_is_settled_with_nobody_asking(
    tmp_path, live_database_url, make_token
):
    customer = funded_user(10)
    with (
        serving_vendors() as (vendors, vendor_settings),
        app_and_worker(
            "doomed",
            workdir=tmp_path,
            database_url=live_database_url,
            **vendor_settings,
            **SETTLE_EVERY_SECOND,
        ) as app,
    ):
        vendor = vendors["reduceai"]
        vendor.fault("submit", "hang")
        token = make_token(customer)
        submitting = threading.Thread(
            target=_ignore_errors,
            args=(app.post, SUBMIT_PATH, task_body("reduceai")),
            kwargs={"token": token},
        )
        submitting.start()
        wait_for(lambda: vendor.submits == 1, what="the vendor holding the submit")
        app.kill()
        submitting.join()
        [task] = RewritingTask.objects.filter(owner=customer)
        assert task.status == TaskStatus.SUBMITTING
        # As long ago as the deadline, so that the test need not wait that long.
        RewritingTask.objects.filter(pk=task.pk).update(
            created_at=task.created_at - submission_deadline()
        )

        wait_for(lambda: _status(task) != TaskStatus.SUBMITTING, what="the worker settling it")

    task.refresh_from_db()
    assert (task.status, task.failure_reason, task.spend_id) == (
        TaskStatus.NOT_ACCEPTED,
        INTERRUPTED,
        None,
    )
    account = PointsAccount.objects.get(user=customer)
    assert (account.balance, account.held) == (Decimal(10), 0)


# --- the vendor takes a task while PostgreSQL is down ----------------------------------------


class ReduceAIThatStopsTheDatabase(FakeReduceAI):
    """Takes the next task, and stops `cluster` before answering: the app hears of the task
    with its database gone."""

    def __init__(self, cluster: PostgresCluster) -> None:
        super().__init__()
        self.cluster = cluster
        self.stopped = threading.Event()

    def submit(self, fields: dict):
        answer = super().submit(fields)
        if not self.stopped.is_set():
            self.cluster.stop()
            self.stopped.set()
        return answer


def test_a_task_the_vendor_took_while_the_database_was_down_is_recorded_once_it_is_back(
    tmp_path,
):
    cluster = PostgresCluster("PostgreSQL (stopped mid-submit)")
    try:
        cluster.start()
        email = "outage@example.com"
        for command in (
            ("migrate", "--noinput"),
            ("createsuperuser", "--noinput", f"--email={email}"),
            ("recharge_points", email, "10"),
        ):
            manage(
                *command,
                workdir=tmp_path,
                database_url=cluster.url,
                DJANGO_SUPERUSER_PASSWORD=DEFAULT_PASSWORD,
            )
        vendor = ReduceAIThatStopsTheDatabase(cluster)
        with (
            http_server(vendor.handler()) as vendor_url,
            app_and_worker(
                "app",
                workdir=tmp_path,
                database_url=cluster.url,
                REDUCEAI_API_URL=vendor_url,
                REDUCEAI_LOGIN_USERNAME=vendor.account,
                REDUCEAI_LOGIN_PASSWORD=vendor.password,
            ) as app,
        ):
            login = {"email": email, "password": DEFAULT_PASSWORD}
            token = portal_body(app.post("/api/auth/login", login), 200)["access_token"]

            answer = envelope_data(app.post(SUBMIT_PATH, task_body("reduceai"), token=token))
            assert vendor.stopped.is_set()
            cluster.start()

            def spends() -> list[dict]:
                response = app.get("/points/transactions", token=token)
                if response.status_code != 200:  # the app reconnecting to the database
                    return []
                rows = response.json()["data"]["transactions"]
                return [row for row in rows if row["transaction_type"] == "spend"]

            wait_for(lambda: bool(spends()), what="the worker recording the task", seconds=60)
            [spend] = spends()
            found = envelope_data(
                app.post(
                    "/ai/result", {"taskId": answer["taskId"], "service": "reduceai"}, token=token
                )
            )
            balance = envelope_data(app.get("/points/balance", token=token))["points_balance"]
    finally:
        cluster.close()

    assert answer["newBalance"] == float(Decimal(10) - TEXT_COST)
    assert (spend["reference_id"], spend["amount"]) == (answer["taskId"], -float(TEXT_COST))
    assert found["status"] == "processing"
    assert balance == float(Decimal(10) - TEXT_COST)
    assert vendor.submits == 1


def _status(task: RewritingTask) -> str:
    return RewritingTask.objects.values_list("status", flat=True).get(pk=task.pk)


def _ignore_errors(call, *args, **kwargs) -> None:
    with contextlib.suppress(requests.RequestException):  # the server it asked was killed
        call(*args, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_a_task_finishes_with_nobody_asking_and_the_answer_makes_no_vendor_call(
    tmp_path, live_database_url, make_token
):
    customer = funded_user(10)
    token = make_token(customer)
    with (
        serving_vendors() as (vendors, vendor_settings),
        app_and_worker(
            "app", workdir=tmp_path, database_url=live_database_url, **vendor_settings
        ) as app,
    ):
        vendor = vendors["cheeyuan"]
        task_id = envelope_data(app.post(SUBMIT_PATH, task_body("cheeyuan"), token=token))["taskId"]
        vendor.complete(str(task_id), "改写完成的文本")

        wait_for(
            lambda: RewritingTask.objects.filter(status=TaskStatus.COMPLETED).exists(),
            what="the worker hearing the task finished",
        )
        fetches = len(vendor.requests["fetch"])
        answers = [
            envelope_data(
                app.post("/ai/result", {"taskId": task_id, "service": "cheeyuan"}, token=token)
            )
            for _ in range(3)
        ]

    assert {(a["status"], a["result"]) for a in answers} == {("completed", "改写完成的文本")}
    assert len(vendor.requests["fetch"]) == fetches  # the answers asked the vendor nothing
    polling = PeriodicTask.objects.get(name="跟进处理中的改写任务")  # what staff see of it
    assert polling.total_run_count >= 1 and polling.last_run_at is not None
