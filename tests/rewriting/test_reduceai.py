"""REDUCEAI's protocol in particular: its fields, its result answers, its separate login URL."""

import pytest

from rewriting.providers import ProviderUnavailable, provider_for
from rewriting.providers.reduceai import task_state
from tests.http_servers import closed_port_url, http_server, silent_server
from tests.rewriting.conftest import HANG_READ_TIMEOUT, serving
from tests.rewriting.fake_vendors import FakeReduceAI


def client():
    return provider_for("reduceai")


def test_login_and_submit_send_the_documented_json(reduceai):
    task_id = client().submit(text="降AI率的文本", tool="onlyai")

    assert reduceai.requests["login"] == [
        {"username": reduceai.account, "password": reduceai.password}
    ]
    assert reduceai.requests["submit"] == [{"text": "降AI率的文本", "toolName": "onlyai"}]
    assert reduceai.tokens_seen == ["reduceai-token-1"]
    assert task_id.startswith("onlyai_98631379_")


def test_processing_carries_progress_queue_position_and_cost(reduceai):
    task_id = client().submit(text="文本", tool="onlyjc")
    reduceai.advance(task_id, 39)

    state = client().fetch(task_id=task_id)

    assert (state.status, state.progress, state.result) == ("processing", 39, None)
    assert state.details == {"queuePosition": 0, "cost": 5}


def test_an_answer_of_only_the_result_is_completed(reduceai):
    task_id = client().submit(text="文本", tool="onlyjc")
    reduceai.complete(task_id, "改写后的文本")
    reduceai.tasks[task_id].only_result = True

    state = client().fetch(task_id=task_id)

    assert (state.status, state.progress, state.result) == ("completed", 100, "改写后的文本")


def test_the_result_can_be_asked_by_post(reduceai, settings):
    settings.REDUCEAI_RESULT_METHOD = "POST"
    reduceai.result_methods = ("POST",)
    task_id = client().submit(text="文本", tool="onlyjc")

    assert client().fetch(task_id=task_id).status == "processing"


def test_the_login_goes_to_the_auth_url_when_one_is_set(reduceai, settings):
    auth = FakeReduceAI()
    auth.valid_tokens = reduceai.valid_tokens  # one vendor, two hosts
    with serving(auth, settings) as auth_url:
        settings.REDUCEAI_AUTH_URL = auth_url

        client().submit(text="文本", tool="onlyjc")

    assert (auth.logins, reduceai.logins) == (1, 0)
    assert reduceai.submits == 1


def test_a_submit_to_an_api_refusing_connections_certainly_created_nothing(reduceai, settings):
    settings.REDUCEAI_AUTH_URL = settings.REDUCEAI_API_URL
    settings.REDUCEAI_API_URL = closed_port_url()

    with pytest.raises(ProviderUnavailable) as outage:
        client().submit(text="文本", tool="onlyjc")

    assert outage.value.task_may_exist is False
    assert reduceai.logins == 1


def test_a_hung_vendor_is_unavailable(settings):
    settings.REWRITING_UPSTREAM_READ_TIMEOUT_SECONDS = HANG_READ_TIMEOUT
    with silent_server() as base_url:
        settings.REDUCEAI_API_URL = base_url
        settings.REDUCEAI_LOGIN_USERNAME, settings.REDUCEAI_LOGIN_PASSWORD = "ops", "secret"

        with pytest.raises(ProviderUnavailable) as outage:
            client().submit(text="文本", tool="onlyjc")

    assert outage.value.task_may_exist is False


def test_a_submit_answer_without_a_task_id_is_unavailable_maybe_created(settings):
    class Forgetful(FakeReduceAI):
        def submit(self, fields):
            return 200, {"newBalance": 462}

    fake = Forgetful()
    with http_server(fake.handler()) as base_url:
        settings.REDUCEAI_API_URL = base_url
        settings.REDUCEAI_LOGIN_USERNAME = fake.account
        settings.REDUCEAI_LOGIN_PASSWORD = fake.password

        with pytest.raises(ProviderUnavailable) as outage:
            client().submit(text="文本", tool="onlyjc")

    assert outage.value.task_may_exist is True


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"status": "processing", "progress": 39, "result": None}, ("processing", 39, None)),
        ({"status": "completed", "progress": 100, "result": "文"}, ("completed", 100, "文")),
        # Completed without its text is not done for a customer who paid for the text.
        ({"status": "completed", "progress": 100, "result": None}, ("processing", 100, None)),
        ({"status": "failed", "progress": 0, "result": None}, ("failed", 0, None)),
        ({"status": "processing", "progress": "39"}, ("processing", None, None)),
        ({"result": "文"}, ("completed", 100, "文")),
    ],
)
def test_result_answers(answer, expected):
    state = task_state(answer)

    assert (state.status, state.progress, state.result) == expected


@pytest.mark.parametrize("answer", [{}, {"result": None}, {"result": ""}, {"status": "queued"}])
def test_result_answers_the_protocol_does_not_know(answer):
    assert task_state(answer) is None
