"""What real server processes do when what they depend on fails: a vendor, PostgreSQL, Redis,
object storage. Each answer stays in its API's shape, nothing is charged or lost, and the app
recovers by itself."""

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from points.models import PointsAccount, PointsTransaction, TransactionType
from rewriting.models import RewritingTask, TaskStatus
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.http_servers import silent_server
from tests.live.answers import (
    ENVELOPE_KEYS,
    envelope_data,
    envelope_error,
    portal_body,
    portal_error,
)
from tests.live.processes import AppServer, PostgresCluster
from tests.live.servers import app_servers, manage, redis_server
from tests.live.traffic import Outcome, Traffic
from tests.live.vendors import SUBMIT_PATH, serving_vendors, task_body
from tests.projects.factories import ProjectFactory, ProjectFileFactory
from tests.rewriting.helpers import funded_user
from tests.storage_fixtures import S3_KEYS, S3_REGION

CODES_UNAVAILABLE = "验证码服务暂不可用，请稍后再试"
STORAGE_UNAVAILABLE = "文件存储暂不可用，请稍后再试"
FILE_NOT_FOUND = "文件不存在"

# --- a vendor that fails -------------------------------------------------------------------------

# Vendors that hang make the app wait this long, not its production 30 s.
SHORT_VENDOR_TIMEOUTS = {
    "REWRITING_UPSTREAM_CONNECT_TIMEOUT_SECONDS": "1",
    "REWRITING_UPSTREAM_READ_TIMEOUT_SECONDS": "1",
}


@pytest.fixture(scope="module")
def vendor_app(tmp_path_factory, live_database_url):
    """One server with both vendors' stand-ins and a short read timeout; (server, fakes)."""
    workdir = tmp_path_factory.mktemp("vendor-faults")
    with (
        serving_vendors() as (vendors, vendor_settings),
        redis_server(workdir) as cache,
        app_servers(
            ["app"],
            workdir=workdir,
            database_url=live_database_url,
            cache_url=cache.url,
            **SHORT_VENDOR_TIMEOUTS,
            **vendor_settings,
        ) as [server],
    ):
        yield server, vendors


def misbehave(vendor, kind: str) -> None:
    """Make the vendor's next submit go wrong: `hang` takes the task and never answers, `http-502`
    answers an HTML 502, `not-json` a 200 that is no JSON, `wrong-shape` JSON without a task id."""
    if kind == "wrong-shape":
        vendor.wrong_shape_submits += 1
    else:
        vendor.fault("submit", kind)


def submit_and_see_nothing_charged(server: AppServer, make_token, service: str) -> None:
    """Submit a task that the vendor fails: the documented 500, and the customer's balance,
    hold and ledger as they were, with the task kept as not accepted."""
    customer = funded_user(10)
    token = make_token(customer)
    ledger_before = envelope_data(server.get("/points/transactions", token=token))

    response = server.post(SUBMIT_PATH, task_body(service), token=token)

    assert envelope_error(response, 500) == f"{service.upper()}任务提交失败"
    balance = envelope_data(server.get("/points/balance", token=token))
    assert balance["points_balance"] == 10
    assert envelope_data(server.get("/points/transactions", token=token)) == ledger_before
    account = PointsAccount.objects.get(user=customer)
    assert (account.balance, account.held) == (Decimal(10), 0)
    spends = PointsTransaction.objects.filter(user=customer, transaction_type=TransactionType.SPEND)
    assert not spends.exists()
    [task] = RewritingTask.objects.filter(owner=customer)
    assert (task.status, task.spend_id) == (TaskStatus.NOT_ACCEPTED, None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("service", ["reduceai", "cheeyuan"])
@pytest.mark.parametrize("kind", ["hang", "http-502", "not-json", "wrong-shape"])
def test_a_failing_vendor_is_the_documented_error_and_charges_nothing(
    vendor_app, make_token, service, kind
):
    server, vendors = vendor_app
    vendor = vendors[service]
    submits = vendor.submits
    misbehave(vendor, kind)

    submit_and_see_nothing_charged(server, make_token, service)

    assert vendor.submits - submits == 1  # asked once, never again


@pytest.fixture(scope="module")
def app_with_silent_vendors(tmp_path_factory, live_database_url) -> Iterator[AppServer]:
    """A server whose vendors take connections and never answer, not even the login."""
    workdir = tmp_path_factory.mktemp("silent-vendors")
    with (
        silent_server() as silent,
        redis_server(workdir) as cache,
        app_servers(
            ["app"],
            workdir=workdir,
            database_url=live_database_url,
            cache_url=cache.url,
            **SHORT_VENDOR_TIMEOUTS,
            REDUCEAI_API_URL=silent,
            REDUCEAI_LOGIN_USERNAME="vendor-account",
            REDUCEAI_LOGIN_PASSWORD="vendor-password",
            CHEEYUAN_API_URL=silent,
            CHEEYUAN_LOGIN_ACCOUNT="vendor-account",
            CHEEYUAN_LOGIN_PASSWORD="vendor-password",
        ) as [server],
    ):
        yield server


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("service", ["reduceai", "cheeyuan"])
def test_a_vendor_that_never_answers_is_the_documented_error_and_charges_nothing(
    app_with_silent_vendors, make_token, service
):
    submit_and_see_nothing_charged(app_with_silent_vendors, make_token, service)


# --- PostgreSQL restarted ------------------------------------------------------------------------

CUSTOMER_EMAIL = "restart@example.com"


@pytest.fixture
def own_database(tmp_path) -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of this test's own, migrated, with one customer."""
    cluster = PostgresCluster("PostgreSQL (own cluster)")
    try:
        cluster.start()
        manage("migrate", "--noinput", workdir=tmp_path, database_url=cluster.url)
        manage(
            "createsuperuser",
            "--noinput",
            f"--email={CUSTOMER_EMAIL}",
            workdir=tmp_path,
            database_url=cluster.url,
            DJANGO_SUPERUSER_PASSWORD=DEFAULT_PASSWORD,
        )
        yield cluster
    finally:
        cluster.close()


def assert_clean_server_error(outcome: Outcome) -> None:
    """A 5xx in the API's own JSON shape."""
    assert outcome.status is not None and 500 <= outcome.status < 600, outcome
    assert outcome.content_type.startswith("application/json"), outcome
    if outcome.path.startswith("/api/"):
        assert set(outcome.body) == {"detail"} and outcome.body["detail"], outcome
    else:
        assert set(outcome.body) == ENVELOPE_KEYS, outcome
        assert (outcome.body["code"], outcome.body["data"]) == (outcome.status, None), outcome


def test_a_database_restart_fails_only_requests_during_it_cleanly_and_the_app_reconnects(
    own_database, tmp_path
):
    with (
        redis_server(tmp_path) as cache,
        app_servers(
            ["app"], workdir=tmp_path, database_url=own_database.url, cache_url=cache.url
        ) as [server],
    ):
        login = {"email": CUSTOMER_EMAIL, "password": DEFAULT_PASSWORD}
        token = portal_body(server.post("/api/auth/login", login), 200)["access_token"]

        with Traffic(server, token) as traffic:
            traffic.wait_for_successes(10)
            restart_began = time.monotonic()
            own_database.restart()
            restart_ended = time.monotonic()
            traffic.wait_for_successes(20, started_after=restart_ended)

    outcomes = traffic.outcomes
    assert [o for o in outcomes if o.error] == []  # no hang, no dropped connection
    failures = [o for o in outcomes if o.status != 200]
    assert failures, "no request met the restart: the test proves nothing"
    for failure in failures:
        assert_clean_server_error(failure)
        # Only requests that met the outage fail.
        assert restart_began <= failure.finished and failure.started <= restart_ended, failure
    after = [o for o in outcomes if o.started > restart_ended]
    assert all(o.status == 200 for o in after)  # reconnected without restarting the app


# --- Redis down ---------------------------------------------------------------------------------


@pytest.fixture
def app_without_redis(tmp_path, live_database_url) -> Iterator[AppServer]:
    """A server whose Redis was there when it started and is stopped now."""
    with (
        redis_server(tmp_path) as cache,
        app_servers(
            ["app"], workdir=tmp_path, database_url=live_database_url, cache_url=cache.url
        ) as [server],
    ):
        cache.stop()
        yield server


@pytest.mark.django_db(transaction=True)
def test_sending_a_code_without_redis_is_503_in_each_apis_shape(app_without_redis):
    email_code = app_without_redis.post("/api/auth/send-code", {"email": "new@example.com"})
    sms_code = app_without_redis.post("/otp", {"phone": "+8613900139000", "purpose": "signup"})

    assert portal_error(email_code, 503) == CODES_UNAVAILABLE
    assert envelope_error(sms_code, 503) == CODES_UNAVAILABLE


@pytest.mark.django_db(transaction=True)
def test_routes_that_need_no_cache_keep_working_without_redis(app_without_redis):
    server = app_without_redis
    user = UserFactory(username="redisless")

    portal_login = {"email": user.email, "password": DEFAULT_PASSWORD}
    token = portal_body(server.post("/api/auth/login", portal_login), 200)["access_token"]
    rewriting_login = {"username": "redisless", "password": DEFAULT_PASSWORD}
    session = envelope_data(server.post("/user/login", rewriting_login))["session"]

    assert portal_body(server.get("/api/auth/me", token=token), 200)["email"] == user.email
    ticket = {"title": "无法登录", "ticket_type": "technical", "content": "缓存停了"}
    created = portal_body(server.post("/api/tickets", ticket, token=token), 201)
    tickets = portal_body(server.get("/api/tickets", token=token), 200)
    assert [item["id"] for item in tickets["items"]] == [created["id"]]
    balance = envelope_data(server.get("/points/balance", token=session["access_token"]))
    assert balance["points_balance"] == 0


# --- object storage down -------------------------------------------------------------------------


@dataclass
class StoredFiles:
    server: AppServer
    storage: ThreadedMotoServer
    token: str
    stored_file_id: str
    missing_file_id: str


@pytest.fixture
def stored_files(tmp_path, live_database_url, make_token) -> Iterator[StoredFiles]:
    """A server on an S3 API of this test's own (moto), with one file whose object is stored and
    one whose object is not."""
    storage = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    storage.start()
    try:
        host, port = storage.get_host_and_port()
        endpoint, bucket = f"http://{host}:{port}", f"csa-live-{secrets.token_hex(6)}"
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name=S3_REGION, **S3_KEYS)
        s3.create_bucket(Bucket=bucket)
        project = ProjectFactory()
        stored = ProjectFileFactory(project=project, filename="交付报告.pdf")
        s3.put_object(Bucket=bucket, Key=stored.oss_key, Body=b"%PDF-1.7 report")
        missing = ProjectFileFactory(project=project, filename="未上传.pdf")
        with (
            redis_server(tmp_path) as cache,
            app_servers(
                ["app"],
                workdir=tmp_path,
                database_url=live_database_url,
                cache_url=cache.url,
                AWS_STORAGE_BUCKET_NAME=bucket,
                AWS_S3_ENDPOINT_URL=endpoint,
                AWS_S3_REGION_NAME=S3_REGION,
                AWS_S3_ADDRESSING_STYLE="path",
                AWS_ACCESS_KEY_ID=S3_KEYS["aws_access_key_id"],
                AWS_SECRET_ACCESS_KEY=S3_KEYS["aws_secret_access_key"],
            ) as [server],
        ):
            yield StoredFiles(
                server=server,
                storage=storage,
                token=make_token(project.owner),
                stored_file_id=str(stored.pk),
                missing_file_id=str(missing.pk),
            )
    finally:
        storage.stop()


def download_url(files: StoredFiles, file_id: str):
    return files.server.post(f"/api/projects/files/{file_id}/download-url", token=files.token)


@pytest.mark.django_db(transaction=True)
def test_a_download_url_is_signed_for_a_stored_object_and_404_for_a_missing_one(stored_files):
    answer = portal_body(download_url(stored_files, stored_files.stored_file_id), 200)
    missing = download_url(stored_files, stored_files.missing_file_id)

    assert requests.get(answer["download_url"], timeout=10).content == b"%PDF-1.7 report"
    assert portal_error(missing, 404) == FILE_NOT_FOUND


@pytest.mark.django_db(transaction=True)
def test_a_download_url_while_object_storage_is_down_is_503(stored_files):
    stored_files.storage.stop()

    response = download_url(stored_files, stored_files.stored_file_id)

    assert portal_error(response, 503) == STORAGE_UNAVAILABLE
