"""POST /ai/reduce-task: the request check, the price, the route to a vendor, and the ledger
as a vendor takes a task, refuses it, or cannot be asked."""

from decimal import Decimal

import pytest

from rewriting.models import RewritingTask
from rewriting.providers.sandbox import RESULT_MARKER, TASK_ID_PREFIX
from tests.rewriting.helpers import (
    REDUCE_TASK,
    ROUTE_TO,
    TASK_SUBMITTED,
    balance,
    funded_user,
    points_account,
    poll_interval_passes,
    result,
    submit,
    transactions,
    worker_polls,
)
from tests.rewriting_accounts.helpers import (
    BAD_JSON,
    INVALID_TOKEN,
    MISSING_TOKEN,
    assert_ok,
    assert_refused,
    bearer,
    post,
    post_raw,
)

MISSING_TEXT = "缺少文本内容参数"
TOO_LONG = "文本内容不能超过3000字"
BAD_PLATFORM = "平台参数错误，必须为zhiwang或weipu"
BAD_TYPE = "类型参数错误，必须为reduce-plagiarism或reduce-ai-rate"
NOT_CONFIGURED = "改写服务暂未配置，请稍后再试"
THUMBS_UP_MEDIUM_SKIN = "\N{THUMBS UP SIGN}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}"


def submit_to(vendor_name: str, api_client, token: str, text: str = "需要降重的文本内容"):
    return submit(api_client, token, text, *ROUTE_TO[vendor_name])


# --- the request ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "   \n\t ", 123, ["文本"]])
def test_text_that_is_no_text_is_missing(api_client, token, reduceai, text):
    response = submit(api_client, token, text, "zhiwang", "reduce-plagiarism")

    assert_refused(response, 400, MISSING_TEXT)
    assert reduceai.submits == 0


def test_a_request_without_text_is_missing_it(api_client, token, reduceai):
    body = {"platform": "zhiwang", "type": "reduce-plagiarism"}

    assert_refused(post(api_client, REDUCE_TASK, body, **bearer(token)), 400, MISSING_TEXT)


@pytest.mark.parametrize("character", ["字", "a", THUMBS_UP_MEDIUM_SKIN])
def test_3001_characters_are_too_long(api_client, token, reduceai, character):
    response = submit(api_client, token, character * 3001, "zhiwang", "reduce-plagiarism")

    assert_refused(response, 400, TOO_LONG)
    assert reduceai.submits == 0


def test_3000_chinese_characters_are_taken(api_client, token, reduceai):
    text = "字" * 3000

    data = assert_ok(
        submit(api_client, token, text, "zhiwang", "reduce-plagiarism"), TASK_SUBMITTED
    )

    assert data["cost"] == 9
    assert reduceai.requests["submit"][0]["text"] == text


def test_3000_emoji_with_skin_tones_are_3000_characters(api_client, token, reduceai):
    text = THUMBS_UP_MEDIUM_SKIN * 3000
    assert len(text) == 6000

    data = assert_ok(
        submit(api_client, token, text, "zhiwang", "reduce-plagiarism"), TASK_SUBMITTED
    )

    assert data["cost"] == 9
    assert reduceai.requests["submit"][0]["text"] == text


@pytest.mark.parametrize("platform", [None, "", "cnki", "ZHIWANG", 1])
def test_an_unknown_platform_is_refused(api_client, token, reduceai, platform):
    response = submit(api_client, token, "文本", platform, "reduce-plagiarism")

    assert_refused(response, 400, BAD_PLATFORM)


def test_a_request_without_platform_is_refused(api_client, token, reduceai):
    body = {"text": "文本", "type": "reduce-plagiarism"}

    assert_refused(post(api_client, REDUCE_TASK, body, **bearer(token)), 400, BAD_PLATFORM)


@pytest.mark.parametrize("task_type", [None, "", "rewrite", "reduce_ai_rate"])
def test_an_unknown_type_is_refused(api_client, token, reduceai, task_type):
    response = submit(api_client, token, "文本", "weipu", task_type)

    assert_refused(response, 400, BAD_TYPE)
    assert reduceai.submits == 0


def test_without_a_token_the_caller_is_unknown(api_client, reduceai, db):
    body = {"text": "文本", "platform": "zhiwang", "type": "reduce-plagiarism"}

    assert_refused(post(api_client, REDUCE_TASK, body), 401, MISSING_TOKEN)


def test_a_forged_token_is_invalid(api_client, reduceai, db):
    response = submit(api_client, "not-a-token", "文本", "zhiwang", "reduce-plagiarism")

    assert_refused(response, 401, INVALID_TOKEN)
    assert reduceai.submits == 0


def test_text_is_checked_before_platform_and_type(api_client, token, reduceai):
    body = {"platform": "cnki", "type": "rewrite"}

    assert_refused(post(api_client, REDUCE_TASK, body, **bearer(token)), 400, MISSING_TEXT)


def test_the_request_is_checked_before_the_points(api_client, make_token, reduceai):
    response = submit(api_client, make_token(funded_user(0)), "文本", "cnki", "reduce-plagiarism")

    assert_refused(response, 400, BAD_PLATFORM)


def test_the_request_is_checked_before_the_vendor_settings(api_client, token, settings):
    settings.DEBUG = False

    assert_refused(submit(api_client, token, "", "zhiwang", "reduce-plagiarism"), 400, MISSING_TEXT)


def test_the_token_is_checked_before_the_request(api_client, db):
    assert_refused(post(api_client, REDUCE_TASK, {"text": ""}), 401, MISSING_TOKEN)


def test_a_body_that_is_not_json_is_refused(api_client, token, reduceai):
    response = post_raw(api_client, REDUCE_TASK, "text=文本", **bearer(token))

    assert_refused(response, 400, BAD_JSON)
    assert reduceai.submits == 0


# --- the price --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("characters", "cost", "new_balance"),
    [(1200, 3.6, 6.4), (800, 2.4, 7.6), (1, 0.003, 9.997), (333, 0.999, 9.001)],
)
def test_cost_is_three_points_per_1000_characters(
    api_client, token, reduceai, characters, cost, new_balance
):
    response = submit(api_client, token, "字" * characters, "zhiwang", "reduce-plagiarism")

    data = assert_ok(response, TASK_SUBMITTED)
    assert (data["cost"], data["newBalance"]) == (cost, new_balance)


def test_cost_is_truncated_not_rounded_at_another_price(api_client, token, reduceai, settings):
    settings.POINTS_COST_PER_1000_CHARS = Decimal("2.5")

    data = assert_ok(
        submit(api_client, token, "字" * 333, "zhiwang", "reduce-plagiarism"), TASK_SUBMITTED
    )

    assert data["cost"] == 0.832  # 0.8325


def test_the_answer_names_task_service_balance_and_cost(api_client, token, reduceai):
    data = assert_ok(
        submit(api_client, token, "字" * 1200, "zhiwang", "reduce-plagiarism"), TASK_SUBMITTED
    )

    assert data == {
        "taskId": next(iter(reduceai.tasks)),
        "service": "reduceai",
        "newBalance": 6.4,
        "cost": 3.6,
    }


def test_not_enough_points_is_refused_before_the_vendor(api_client, make_token, reduceai):
    poor = funded_user(2)

    response = submit(api_client, make_token(poor), "字" * 1200, "zhiwang", "reduce-plagiarism")

    assert_refused(response, 400, "积分不足，当前积分：2，需要积分：3.6")
    assert (reduceai.logins, reduceai.submits) == (0, 0)
    assert points_account(poor).held == 0


def test_a_user_who_never_had_points_has_zero(api_client, make_token, reduceai):
    response = submit(api_client, make_token(funded_user(0)), "字", "zhiwang", "reduce-plagiarism")

    assert_refused(response, 400, "积分不足，当前积分：0，需要积分：0.003")
    assert reduceai.submits == 0


def test_exactly_enough_points_leave_zero(api_client, make_token, reduceai):
    exact = funded_user(Decimal("3.6"))

    response = submit(api_client, make_token(exact), "字" * 1200, "weipu", "reduce-ai-rate")

    assert assert_ok(response, TASK_SUBMITTED)["newBalance"] == 0


# --- the route --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "task_type", "service", "sent"),
    [
        ("zhiwang", "reduce-plagiarism", "reduceai", {"toolName": "onlyjc"}),
        ("zhiwang", "reduce-ai-rate", "cheeyuan", {"product_type": 78}),
        ("weipu", "reduce-plagiarism", "reduceai", {"toolName": "onlyjc"}),
        ("weipu", "reduce-ai-rate", "reduceai", {"toolName": "onlyai"}),
    ],
)
def test_each_platform_and_type_reach_their_vendor_and_tool(
    api_client, token, reduceai, cheeyuan, platform, task_type, service, sent
):
    fakes = {"reduceai": reduceai, "cheeyuan": cheeyuan}
    text_field = {"reduceai": "text", "cheeyuan": "content"}[service]

    data = assert_ok(submit(api_client, token, "文本", platform, task_type), TASK_SUBMITTED)

    assert data["service"] == service
    assert fakes[service].requests["submit"] == [{text_field: "文本", **sent}]
    assert str(data["taskId"]) in fakes[service].tasks
    other = fakes["cheeyuan" if service == "reduceai" else "reduceai"]
    assert (other.logins, other.submits) == (0, 0)


# --- the ledger -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "task_type", "description"),
    [
        ("zhiwang", "reduce-plagiarism", "降重（知网版）"),
        ("zhiwang", "reduce-ai-rate", "降AI率（知网版）"),
        ("weipu", "reduce-plagiarism", "降重（维普版）"),
        ("weipu", "reduce-ai-rate", "降AI率（维普版）"),
    ],
)
def test_the_spend_names_the_task_and_what_was_bought(
    api_client, token, customer, reduceai, cheeyuan, platform, task_type, description
):
    data = assert_ok(submit(api_client, token, "字" * 1200, platform, task_type), TASK_SUBMITTED)

    spend, _recharge = transactions(api_client, token)
    assert spend["profile_id"] == customer.pk
    assert spend["transaction_type"] == "spend"
    assert (spend["amount"], spend["balance_after"]) == (-3.6, 6.4)
    assert spend["reference_id"] == str(data["taskId"])
    assert spend["is_successful"] is True
    assert spend["description"] == description


def test_a_taken_task_spends_its_held_points(api_client, token, customer, reduceai):
    submit(api_client, token, "字" * 1200, "zhiwang", "reduce-plagiarism")

    account = points_account(customer)
    assert (account.balance, account.held) == (Decimal("6.4"), 0)
    assert balance(api_client, token) == 6.4


@pytest.mark.parametrize(
    ("vendor_name", "message"),
    [("reduceai", "REDUCEAI任务提交失败"), ("cheeyuan", "CHEEYUAN任务提交失败")],
)
def test_a_refusal_charges_nothing(
    api_client, token, customer, reduceai, cheeyuan, vendor_name, message
):
    fake = {"reduceai": reduceai, "cheeyuan": cheeyuan}[vendor_name]
    fake.refuse("余额不足")
    ledger_before = transactions(api_client, token)

    assert_refused(submit_to(vendor_name, api_client, token), 500, message)

    assert fake.submits == 1
    assert transactions(api_client, token) == ledger_before
    assert balance(api_client, token) == 10
    assert points_account(customer).held == 0


@pytest.mark.parametrize("kind", ["hang", "http-502", "not-json", "drop"])
def test_a_vendor_that_fails_to_answer_charges_nothing_and_is_asked_once(
    api_client, token, customer, vendor, kind
):
    vendor.fault("submit", kind)
    ledger_before = transactions(api_client, token)

    response = submit_to(vendor.service, api_client, token)

    assert_refused(response, 500, f"{vendor.service.upper()}任务提交失败")
    assert vendor.submits == 1
    assert transactions(api_client, token) == ledger_before
    assert points_account(customer).held == 0


def test_the_next_submit_after_a_refusal_is_taken(api_client, token, customer, vendor):
    vendor.refuse("维护中")
    submit_to(vendor.service, api_client, token)
    vendor.refusal = None

    data = assert_ok(submit_to(vendor.service, api_client, token, "字" * 1000), TASK_SUBMITTED)

    assert data["newBalance"] == 7
    assert points_account(customer).held == 0


# --- the vendor's login -----------------------------------------------------------------------


def test_two_submits_share_one_login(api_client, token, vendor):
    assert_ok(submit_to(vendor.service, api_client, token), TASK_SUBMITTED)
    assert_ok(submit_to(vendor.service, api_client, token), TASK_SUBMITTED)

    assert vendor.logins == 1
    assert len(vendor.tasks) == 2


def test_an_expired_vendor_token_is_renewed_once(api_client, token, customer, vendor):
    assert_ok(submit_to(vendor.service, api_client, token, "字" * 1000), TASK_SUBMITTED)
    vendor.expire_tokens()

    data = assert_ok(submit_to(vendor.service, api_client, token, "字" * 1000), TASK_SUBMITTED)

    assert vendor.logins == 2
    assert len(vendor.tasks) == 2
    assert data["newBalance"] == 4


# --- without a vendor -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "task_type"), [("zhiwang", "reduce-plagiarism"), ("zhiwang", "reduce-ai-rate")]
)
def test_without_vendor_settings_the_service_is_unavailable(
    api_client, token, customer, settings, platform, task_type
):
    settings.DEBUG = False

    response = submit(api_client, token, "字" * 1200, platform, task_type)

    assert_refused(response, 503, NOT_CONFIGURED)
    assert (points_account(customer).balance, points_account(customer).held) == (10, 0)
    assert not RewritingTask.objects.exists()


def test_one_vendor_configured_leaves_the_other_unavailable(api_client, token, settings, reduceai):
    settings.DEBUG = False

    response = submit(api_client, token, "文本", "zhiwang", "reduce-ai-rate")

    assert_refused(response, 503, NOT_CONFIGURED)
    assert reduceai.submits == 0


def test_with_debug_on_the_sandbox_takes_the_task(api_client, token, customer, settings):
    settings.DEBUG = True
    settings.REWRITING_SANDBOX_SECONDS = 3600

    data = assert_ok(
        submit(api_client, token, "字" * 1200, "weipu", "reduce-ai-rate"), TASK_SUBMITTED
    )

    assert data["taskId"].startswith(TASK_ID_PREFIX)
    assert (data["service"], data["cost"], data["newBalance"]) == ("reduceai", 3.6, 6.4)
    assert transactions(api_client, token)[0]["reference_id"] == data["taskId"]


def test_a_sandbox_task_completes_once_its_time_passes(api_client, token, settings):
    settings.DEBUG = True
    settings.REWRITING_SANDBOX_SECONDS = 3600
    submitted = submit(api_client, token, "文本", "zhiwang", "reduce-ai-rate")
    task_id = assert_ok(submitted, TASK_SUBMITTED)["taskId"]
    worker_polls()
    assert result(api_client, token, task_id, "cheeyuan").json()["data"]["status"] == "processing"

    settings.REWRITING_SANDBOX_SECONDS = 0
    poll_interval_passes(task_id)
    worker_polls()
    data = assert_ok(result(api_client, token, task_id, "cheeyuan"), "查询成功")

    assert (data["status"], data["progress"]) == ("completed", 100)
    assert data["result"] == f"{RESULT_MARKER}文本"


def test_the_sandbox_holds_no_points_after_a_refusal(api_client, token, customer, settings):
    settings.DEBUG = True

    response = submit(api_client, token, "REFUSE 这段", "zhiwang", "reduce-plagiarism")

    assert_refused(response, 500, "REDUCEAI任务提交失败")
    assert points_account(customer).held == 0
    assert balance(api_client, token) == 10


def test_a_few_letters_under_a_mountain_of_accents_are_too_long(api_client, token, reduceai):
    text = "a" + "\u0301" * 12_000  # one character on screen, 12 001 code points

    response = submit(api_client, token, text, "zhiwang", "reduce-plagiarism")

    assert_refused(response, 400, TOO_LONG)
    assert reduceai.submits == 0


def test_accented_letters_within_the_cap_count_as_one_character_each(api_client, token, reduceai):
    text = ("e" + "\u0301") * 3000  # 3000 characters on screen, 6000 code points

    data = assert_ok(
        submit(api_client, token, text, "zhiwang", "reduce-plagiarism"), TASK_SUBMITTED
    )

    assert data["cost"] == 9


@pytest.mark.usefixtures("cache_down")
def test_without_the_cache_each_submit_logs_in_afresh(api_client, token, vendor):
    assert_ok(submit_to(vendor.service, api_client, token), TASK_SUBMITTED)
    assert_ok(submit_to(vendor.service, api_client, token), TASK_SUBMITTED)

    assert vendor.logins == 2
    assert len(vendor.tasks) == 2
