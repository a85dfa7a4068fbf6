"""/rewrite/rewrite_paragraph: a task whose request waits a bounded time for the vendor's
result, charged like any task and never less than 0.01."""

from decimal import Decimal

import pytest

from points.models import PointsTransaction
from rewriting.models import RewritingTask, TaskStatus
from rewriting.services import paragraphs
from tests.rewriting.documents.flow import MARK, PARAGRAPH, failing, finishing
from tests.rewriting.helpers import funded_user, points_account, result
from tests.rewriting_accounts.helpers import bearer, post

TEXT = "深度学习在文本改写中的应用越来越广泛。"  # 19 characters: 0.057 points


def rewrite(api_client, token: str, **body):
    return post(api_client, PARAGRAPH, {"text": TEXT, **body}, **bearer(token))


def test_the_rewritten_text_comes_in_the_same_request(api_client, customer, token, reduceai):
    reduceai.on_task = finishing

    response = rewrite(api_client, token, type=0)

    body = response.json()
    assert (response.status_code, body["code"], body["message"]) == (200, 0, "改写完成")
    data = body["data"]
    assert data["text"] == f"{MARK}{TEXT}"
    assert (data["status"], data["service"]) == ("completed", "reduceai")
    assert (Decimal(str(data["cost"])), Decimal(str(data["new_balance"]))) == (
        Decimal("0.057"),
        Decimal("9.943"),
    )
    [spend] = PointsTransaction.objects.filter(user=customer, transaction_type="spend")
    assert (spend.amount, spend.reference_id) == (Decimal("-0.057"), data["taskId"])
    assert reduceai.tasks[data["taskId"]].tool == "onlyjc"


def test_type_1_lowers_the_ai_rate_through_its_route(api_client, token, cheeyuan):
    cheeyuan.on_task = finishing

    data = rewrite(api_client, token, type=1).json()["data"]

    assert (data["service"], data["text"]) == ("cheeyuan", f"{MARK}{TEXT}")


def test_a_paragraph_costs_at_least_a_hundredth(api_client, customer, token, reduceai):
    reduceai.on_task = finishing

    data = post(api_client, PARAGRAPH, {"text": "改"}, **bearer(token)).json()["data"]

    assert Decimal(str(data["cost"])) == Decimal("0.01")
    assert points_account(customer).balance == Decimal("9.99")


def test_not_enough_points_is_403_with_the_cost(api_client, reduceai, make_token):
    poor = funded_user(Decimal("0.05"))

    response = rewrite(api_client, make_token(poor))

    assert (response.status_code, response.json()["message"]) == (403, "积分不足，需要 0.057 积分")
    assert reduceai.submits == 0
    assert not RewritingTask.objects.exists()


def test_at_the_time_limit_the_task_goes_on_and_the_answer_says_how_to_fetch_it(
    api_client, token, reduceai, settings
):
    settings.REWRITING_PARAGRAPH_WAIT_SECONDS = 0.3

    response = rewrite(api_client, token)

    body = response.json()
    assert (response.status_code, body["code"]) == (202, 202)
    assert "/ai/result" in body["message"]
    data = body["data"]
    assert (data["text"], data["status"]) == (None, "processing")
    reduceai.complete(data["taskId"], "改好了")
    RewritingTask.objects.update(checked_at=None)
    from tests.rewriting.helpers import worker_polls

    worker_polls()
    fetched = result(api_client, token, data["taskId"], "reduceai").json()["data"]
    assert (fetched["status"], fetched["result"]) == ("completed", "改好了")


def test_past_the_waiters_allowed_the_answer_comes_at_once(api_client, token, reduceai, settings):
    settings.REWRITING_PARAGRAPH_WAITERS = 0  # every waiting place taken
    reduceai.on_task = finishing

    response = rewrite(api_client, token)

    assert response.status_code == 202
    assert reduceai.requests["fetch"] == []  # not even one poll: nobody waited
    assert paragraphs.waiters.count == 0


def test_a_failed_paragraph_is_an_error_whose_points_can_be_refunded(
    api_client, customer, token, reduceai
):
    reduceai.on_task = failing

    response = rewrite(api_client, token)

    assert (response.status_code, response.json()["message"]) == (502, paragraphs.FAILED)
    task = RewritingTask.objects.get()
    assert task.status == TaskStatus.FAILED and task.spend.is_successful is False
    refund = post(api_client, "/points/refund", {"transaction_id": task.spend_id}, **bearer(token))
    assert refund.json()["data"]["points_balance"] == 10


def test_the_vendor_is_asked_no_oftener_than_every_poll_interval(
    api_client, token, reduceai, settings
):
    settings.REWRITING_PARAGRAPH_WAIT_SECONDS = 1.2

    rewrite(api_client, token)

    assert len(reduceai.requests["fetch"]) == 1  # asked once; the next is due after 3 s
    assert paragraphs.waiters.count == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": ""}, "缺少文本内容参数"),
        ({"text": TEXT, "type": 2}, "改写类型参数错误，必须为0（降重）或1（降AI率）"),
        ({"text": TEXT, "type": True}, "改写类型参数错误，必须为0（降重）或1（降AI率）"),
        ({"text": "改" * 3001}, "文本内容不能超过3000字"),
    ],
)
def test_bad_requests_are_refused_before_anything_is_held(api_client, token, body, message):
    response = post(api_client, PARAGRAPH, body, **bearer(token))
    assert (response.status_code, response.json()["message"]) == (400, message)
    assert not RewritingTask.objects.exists()
