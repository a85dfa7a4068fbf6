"""POST /ai/result: whose task, which vendor, the vendor's state as each vendor words it (as the
worker last heard it: the worker asks each task's vendor at most once every 3 s, the request
never), a finished task answered from the database, and a failed task's points given back
through /points/refund."""

from decimal import Decimal

import pytest

from rewriting.models import RewritingTask
from tests.rewriting.helpers import (
    POINTS_RULES,
    REFUND,
    RESULT,
    RESULT_FOUND,
    ROUTE_TO,
    TASK_NOT_FOUND,
    balance,
    funded_user,
    poll_interval_passes,
    result,
    submit,
    transactions,
    worker_polls,
)
from tests.rewriting_accounts.helpers import (
    INVALID_TOKEN,
    MISSING_TOKEN,
    assert_ok,
    assert_refused,
    bearer,
    post,
)

MISSING_TASK_ID = "缺少任务ID参数"
BAD_SERVICE = "服务参数错误，必须为reduceai或cheeyuan"
REDUCEAI_KEYS = {"status", "progress", "result", "queuePosition", "cost"}
CHEEYUAN_KEYS = {"status", "progress", "result", "created_at", "updated_at"}
# The document's REDUCEAI answers once finished carry the vendor's cost but no queue position.
REDUCEAI_FINISHED_KEYS = REDUCEAI_KEYS - {"queuePosition"}


def task_of(vendor_name: str, api_client, token: str) -> str:
    """A task of 1000 characters (3 points) that `vendor_name` took; its id as answered."""
    response = submit(api_client, token, "字" * 1000, *ROUTE_TO[vendor_name])
    return assert_ok(response, "任务提交成功")["taskId"]


def poll(api_client, token: str, task_id, service: str) -> dict:
    """The worker's poll of due tasks, then the customer's question."""
    worker_polls()
    return assert_ok(result(api_client, token, task_id, service), RESULT_FOUND)


# --- the request ------------------------------------------------------------------------------


@pytest.mark.parametrize("task_id", [None, "", "   ", True, ["x"], {"id": 1}])
def test_a_task_id_that_is_no_id_is_missing(api_client, token, task_id):
    assert_refused(result(api_client, token, task_id, "reduceai"), 400, MISSING_TASK_ID)


def test_a_request_without_task_id_is_missing_it(api_client, token):
    response = post(api_client, RESULT, {"service": "reduceai"}, **bearer(token))

    assert_refused(response, 400, MISSING_TASK_ID)


@pytest.mark.parametrize("service", [None, "", "sandbox", "REDUCEAI", 1])
def test_an_unknown_service_is_refused(api_client, token, service):
    assert_refused(result(api_client, token, "onlyjc_1_2", service), 400, BAD_SERVICE)


def test_a_request_without_service_is_refused(api_client, token):
    response = post(api_client, RESULT, {"taskId": "onlyjc_1_2"}, **bearer(token))

    assert_refused(response, 400, BAD_SERVICE)


@pytest.mark.parametrize("path", [RESULT, POINTS_RULES])
def test_without_a_token_the_caller_is_unknown(api_client, db, path):
    body = {"taskId": "onlyjc_1_2", "service": "reduceai"}

    assert_refused(post(api_client, path, body), 401, MISSING_TOKEN)


@pytest.mark.parametrize("path", [RESULT, POINTS_RULES])
def test_a_forged_token_is_invalid(api_client, db, path):
    body = {"taskId": "onlyjc_1_2", "service": "reduceai"}

    assert_refused(post(api_client, path, body, **bearer("forged")), 401, INVALID_TOKEN)


# --- whose task -------------------------------------------------------------------------------


def test_a_cheeyuan_task_id_may_be_sent_as_a_number(api_client, token, cheeyuan):
    task_id = task_of("cheeyuan", api_client, token)

    data = poll(api_client, token, int(task_id), "cheeyuan")

    assert data["status"] == "processing"
    assert cheeyuan.requests["fetch"] == [{"id": int(task_id)}]


def test_someone_elses_task_is_not_found_and_not_asked_about(api_client, token, make_token, vendor):
    task_id = task_of(vendor.service, api_client, token)
    stranger = make_token(funded_user(10))

    assert_refused(result(api_client, stranger, task_id, vendor.service), 404, TASK_NOT_FOUND)
    assert vendor.requests["fetch"] == []


def test_someone_elses_finished_task_is_not_found(api_client, token, make_token, reduceai):
    task_id = task_of("reduceai", api_client, token)
    reduceai.complete(task_id, "改写后的文本")
    poll(api_client, token, task_id, "reduceai")

    response = result(api_client, make_token(funded_user(10)), task_id, "reduceai")

    assert_refused(response, 404, TASK_NOT_FOUND)


def test_a_task_asked_of_the_other_service_is_not_found(api_client, token, reduceai, cheeyuan):
    task_id = task_of("reduceai", api_client, token)

    assert_refused(result(api_client, token, task_id, "cheeyuan"), 404, TASK_NOT_FOUND)
    assert (reduceai.requests["fetch"], cheeyuan.requests["fetch"]) == ([], [])


def test_a_task_id_nobody_was_given_is_not_found(api_client, token, reduceai):
    assert_refused(result(api_client, token, "onlyjc_1_2", "reduceai"), 404, TASK_NOT_FOUND)
    assert reduceai.requests["fetch"] == []


def test_a_task_id_too_long_to_exist_is_not_found(api_client, token, reduceai):
    assert_refused(result(api_client, token, "x" * 500, "reduceai"), 404, TASK_NOT_FOUND)


# --- the answer, per vendor -------------------------------------------------------------------


def test_reduceai_processing_carries_queue_position_and_cost(api_client, token, reduceai):
    task_id = task_of("reduceai", api_client, token)
    reduceai.advance(task_id, 39)

    data = poll(api_client, token, task_id, "reduceai")

    assert data == {
        "status": "processing",
        "progress": 39,
        "result": None,
        "queuePosition": 0,
        "cost": 5,
    }


def test_cheeyuan_processing_carries_its_times(api_client, token, cheeyuan):
    task_id = task_of("cheeyuan", api_client, token)

    data = poll(api_client, token, task_id, "cheeyuan")

    assert data == {
        "status": "processing",
        "progress": 0,
        "result": None,
        "created_at": "2025-11-03 14:04:04",
        "updated_at": "2025-11-03 14:04:04",
    }


def test_reduceai_polled_to_completion(api_client, token, reduceai):
    task_id = task_of("reduceai", api_client, token)
    assert poll(api_client, token, task_id, "reduceai")["progress"] == 0
    reduceai.advance(task_id, 60)
    poll_interval_passes(task_id)
    assert poll(api_client, token, task_id, "reduceai")["progress"] == 60
    reduceai.complete(task_id, "改写后的文本")
    poll_interval_passes(task_id)

    data = poll(api_client, token, task_id, "reduceai")

    assert (data["status"], data["progress"], data["result"]) == ("completed", 100, "改写后的文本")
    assert data["cost"] == 5
    assert set(data) == REDUCEAI_FINISHED_KEYS


def test_cheeyuan_polled_to_completion(api_client, token, cheeyuan):
    task_id = task_of("cheeyuan", api_client, token)
    poll(api_client, token, task_id, "cheeyuan")
    cheeyuan.complete(task_id, "改写后的文本")
    poll_interval_passes(task_id)

    data = poll(api_client, token, task_id, "cheeyuan")

    assert data == {
        "status": "completed",
        "progress": 100,
        "result": "改写后的文本",
        "created_at": "2025-11-03 14:04:04",
        "updated_at": "2025-11-03 14:04:16",
    }


def test_a_finished_task_is_answered_from_the_database(api_client, token, vendor):
    task_id = task_of(vendor.service, api_client, token)
    vendor.complete(task_id, "改写后的文本")
    first = poll(api_client, token, task_id, vendor.service)
    fetched = len(vendor.requests["fetch"])

    for _ in range(3):
        poll_interval_passes(task_id)
        assert poll(api_client, token, task_id, vendor.service) == first

    assert len(vendor.requests["fetch"]) == fetched == 1
    assert RewritingTask.objects.get().result == "改写后的文本"


def test_reduceai_answering_only_the_result_is_completed(api_client, token, reduceai):
    task_id = task_of("reduceai", api_client, token)
    reduceai.complete(task_id, "改写后的文本")
    reduceai.tasks[task_id].only_result = True

    data = poll(api_client, token, task_id, "reduceai")

    assert (data["status"], data["progress"], data["result"]) == ("completed", 100, "改写后的文本")


def test_an_expired_vendor_token_is_renewed_while_polling(api_client, token, vendor):
    task_id = task_of(vendor.service, api_client, token)
    vendor.expire_tokens()
    vendor.complete(task_id, "改写后的文本")

    data = poll(api_client, token, task_id, vendor.service)

    assert (data["status"], data["result"]) == ("completed", "改写后的文本")
    assert vendor.logins == 2


# --- the worker asks, once per 3 s; the customer's question asks nobody ---------------------


def test_asking_for_a_result_makes_no_vendor_call(api_client, token, vendor):
    task_id = task_of(vendor.service, api_client, token)
    vendor.complete(task_id, "改写后的文本")

    answers = [
        assert_ok(result(api_client, token, task_id, vendor.service), RESULT_FOUND)
        for _ in range(3)
    ]

    assert vendor.requests["fetch"] == []
    assert {answer["status"] for answer in answers} == {"processing"}  # until the worker asks


def test_the_worker_finishes_a_task_nobody_asks_about(api_client, token, vendor):
    task_id = task_of(vendor.service, api_client, token)
    vendor.complete(task_id, "改写后的文本")

    worker_polls()

    task = RewritingTask.objects.get()
    assert (task.status, task.result) == ("completed", "改写后的文本")
    assert len(vendor.requests["fetch"]) == 1


def test_many_polls_within_3_seconds_ask_the_vendor_once(api_client, token, vendor):
    task_id = task_of(vendor.service, api_client, token)

    answers = [poll(api_client, token, task_id, vendor.service) for _ in range(5)]

    assert len(vendor.requests["fetch"]) == 1
    assert all(answer == answers[0] for answer in answers)


def test_a_poll_after_3_seconds_asks_again(api_client, token, vendor):
    task_id = task_of(vendor.service, api_client, token)
    poll(api_client, token, task_id, vendor.service)
    poll_interval_passes(task_id)

    poll(api_client, token, task_id, vendor.service)

    assert len(vendor.requests["fetch"]) == 2


def test_the_interval_is_per_task(api_client, token, vendor):
    first = task_of(vendor.service, api_client, token)
    second = task_of(vendor.service, api_client, token)

    poll(api_client, token, first, vendor.service)
    poll(api_client, token, second, vendor.service)

    assert len(vendor.requests["fetch"]) == 2


# --- failure and refund -----------------------------------------------------------------------


def test_a_failed_task_makes_its_spend_unsuccessful(api_client, token, vendor):
    task_id = task_of(vendor.service, api_client, token)
    vendor.fail(task_id)

    data = poll(api_client, token, task_id, vendor.service)

    assert (data["status"], data["result"]) == ("failed", None)
    spend = transactions(api_client, token)[0]
    assert (spend["reference_id"], spend["is_successful"]) == (str(task_id), False)
    assert balance(api_client, token) == 7


def test_a_failed_task_keeps_the_vendors_fields(api_client, token, vendor):
    task_id = task_of(vendor.service, api_client, token)
    vendor.fail(task_id)

    data = poll(api_client, token, task_id, vendor.service)

    keys = REDUCEAI_FINISHED_KEYS if vendor.service == "reduceai" else CHEEYUAN_KEYS
    assert set(data) == keys


def test_a_failed_tasks_points_come_back_once(api_client, token, vendor):
    task_id = task_of(vendor.service, api_client, token)
    vendor.fail(task_id)
    poll(api_client, token, task_id, vendor.service)
    spend_id = transactions(api_client, token)[0]["id"]

    refund = post(api_client, REFUND, {"transaction_id": spend_id}, **bearer(token))
    again = post(api_client, REFUND, {"transaction_id": spend_id}, **bearer(token))

    assert assert_ok(refund, "积分返还成功") == {"success": True, "points_balance": 10}
    assert_refused(again, 400, "该交易已返还积分，请勿重复操作")
    assert balance(api_client, token) == 10


def test_the_refund_is_a_row_of_its_own(api_client, token, vendor):
    task_id = task_of(vendor.service, api_client, token)
    vendor.fail(task_id)
    poll(api_client, token, task_id, vendor.service)
    spend_id = transactions(api_client, token)[0]["id"]
    post(api_client, REFUND, {"transaction_id": spend_id}, **bearer(token))

    refund, spend, _recharge = transactions(api_client, token)

    assert (refund["transaction_type"], refund["amount"], refund["balance_after"]) == (
        "recharge",  # a refund is answered as the recharge it is (rewriting-api §14)
        3,
        10,
    )
    assert refund["description"] == f"任务失败返还积分（原交易ID: {spend_id}）"
    assert spend["description"].endswith("（已返还积分）")


def test_a_completed_tasks_spend_is_not_refunded(api_client, token, reduceai):
    task_id = task_of("reduceai", api_client, token)
    reduceai.complete(task_id, "改写后的文本")
    poll(api_client, token, task_id, "reduceai")
    spend = transactions(api_client, token)[0]

    response = post(api_client, REFUND, {"transaction_id": spend["id"]}, **bearer(token))

    assert spend["is_successful"] is True
    assert_refused(response, 400, "成功交易无需返还")


def test_a_failed_task_stays_failed(api_client, token, reduceai):
    task_id = task_of("reduceai", api_client, token)
    reduceai.fail(task_id)
    poll(api_client, token, task_id, "reduceai")
    reduceai.complete(task_id, "迟到的结果")
    poll_interval_passes(task_id)

    data = poll(api_client, token, task_id, "reduceai")

    assert (data["status"], data["result"]) == ("failed", None)
    assert len(reduceai.requests["fetch"]) == 1


# --- a vendor that cannot be asked ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["http-502", "hang", "not-json"])
def test_a_reduceai_fetch_error_answers_processing(api_client, token, reduceai, kind):
    task_id = task_of("reduceai", api_client, token)
    reduceai.fault("fetch", kind)

    data = poll(api_client, token, task_id, "reduceai")

    assert (data["status"], data["result"]) == ("processing", None)


def test_a_reduceai_fetch_error_answers_the_documented_processing_shape(
    api_client, token, reduceai
):
    task_id = task_of("reduceai", api_client, token)
    reduceai.fault("fetch", "http-502")

    data = poll(api_client, token, task_id, "reduceai")

    assert set(data) == REDUCEAI_KEYS


def test_after_a_reduceai_fetch_error_the_next_poll_asks_again(api_client, token, reduceai):
    task_id = task_of("reduceai", api_client, token)
    reduceai.fault("fetch", "http-502")
    poll(api_client, token, task_id, "reduceai")
    reduceai.complete(task_id, "改写后的文本")
    poll_interval_passes(task_id)

    data = poll(api_client, token, task_id, "reduceai")

    assert (data["status"], data["result"]) == ("completed", "改写后的文本")


@pytest.mark.parametrize("kind", ["http-502", "hang", "not-json"])
def test_a_cheeyuan_fetch_error_is_a_server_error_until_the_vendor_answers_again(
    api_client, token, cheeyuan, kind
):
    task_id = task_of("cheeyuan", api_client, token)
    cheeyuan.fault("fetch", kind)
    worker_polls()

    response = result(api_client, token, task_id, "cheeyuan")
    poll_interval_passes(task_id)
    after = poll(api_client, token, task_id, "cheeyuan")

    assert_refused(response, 500, "CHEEYUAN结果查询失败")
    assert RewritingTask.objects.get().status == "processing"
    assert balance(api_client, token) == 7
    assert after["status"] == "processing"


def test_a_fetch_error_marks_nothing_failed(api_client, token, vendor):
    task_of(vendor.service, api_client, token)
    vendor.fault("fetch", "http-502")

    worker_polls()

    assert transactions(api_client, token)[0]["is_successful"] is True


# --- queries ----------------------------------------------------------------------------------


def test_a_stored_answer_costs_two_queries(api_client, token, reduceai, django_assert_num_queries):
    task_id = task_of("reduceai", api_client, token)
    reduceai.complete(task_id, "改写后的文本")
    poll(api_client, token, task_id, "reduceai")
    poll_interval_passes(task_id)

    with django_assert_num_queries(2):
        assert_ok(result(api_client, token, task_id, "reduceai"), RESULT_FOUND)

    assert len(reduceai.requests["fetch"]) == 1


def test_points_rules_cost_two_queries(api_client, token, django_assert_num_queries):
    with django_assert_num_queries(2):
        data = assert_ok(post(api_client, POINTS_RULES, **bearer(token)), RESULT_FOUND)

    assert data == {"points_balance": 10, "task_cost": 3, "cost_per_1000_chars": 3}


def test_points_rules_follow_the_price_setting(api_client, token, settings):
    settings.POINTS_COST_PER_1000_CHARS = Decimal("2.5")

    data = assert_ok(post(api_client, POINTS_RULES, **bearer(token)), RESULT_FOUND)

    assert (data["task_cost"], data["cost_per_1000_chars"]) == (2.5, 2.5)
